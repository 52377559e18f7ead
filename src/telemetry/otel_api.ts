/**
 * The one module of @wool/core that imports `npm:@opentelemetry/api`; every
 * other module takes the API from here, so the library depends on one
 * version of it.
 *
 * ## With no SDK
 *
 * The API is a set of no-op stubs until something registers a provider:
 * `trace.getTracer()` hands out spans that record nothing and
 * `metrics.getMeter()` instruments that drop their values. The helpers of
 * `src/telemetry/` go further: they check for a registered provider first and,
 * when there is none, return shared no-op objects without allocating (see
 * `tracer.ts` and `instruments.ts`).
 *
 * ## With an SDK
 *
 * A program that registers an OpenTelemetry SDK (`NodeSDK.start()`, or
 * `trace.setGlobalTracerProvider()`, `metrics.setGlobalMeterProvider()` from
 * `@opentelemetry/sdk-trace-base` and `@opentelemetry/sdk-metrics`) gets the
 * spans and metrics of `src/telemetry/` in that SDK's exporters. Spans of a
 * task run inside the task's span only when a context manager that follows
 * `await` is registered (`@opentelemetry/context-async-hooks`, which works in
 * Deno through `node:async_hooks`).
 *
 * ## With Deno's built-in OpenTelemetry (`OTEL_DENO=true`)
 *
 * Deno 2.9 needs no SDK: with `OTEL_DENO=true` it installs, before any user
 * code runs, its own tracer provider, meter provider, context manager and W3C
 * propagators in this API's global registry (the object at
 * `Symbol.for("opentelemetry.js.api.1")`, with version `1.999.999` so that
 * every 1.x copy of the API accepts it). Calls made through this module then
 * reach Deno's exporter: OTLP to `OTEL_EXPORTER_OTLP_ENDPOINT`
 * (`http/protobuf` by default; `OTEL_EXPORTER_OTLP_PROTOCOL=http/json` or
 * `console` also work), alongside Deno's own spans for `fetch` and
 * `Deno.serve`. Deno's context manager follows `await` natively. Two
 * consequences:
 *
 * - Use Deno's exporter or an SDK, not both: under `OTEL_DENO=true` the
 *   registry's version is not the API's own, so an SDK's registration fails.
 * - Worker processes inherit the pool's environment, so `OTEL_DENO=true` and
 *   the `OTEL_*` exporter variables of the pool's process turn export on in
 *   its workers too; each worker exports as its own process, and the
 *   `traceparent` carried in the Task frame joins caller and worker spans in
 *   one trace (tests/integration/telemetry_deno_test.ts runs this).
 *
 * @module
 */
export {
  context,
  createNoopMeter,
  createTraceState,
  isSpanContextValid,
  isValidSpanId,
  isValidTraceId,
  metrics,
  propagation,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
} from "npm:@opentelemetry/api@1.9.1";
export type {
  Attributes,
  Context,
  Counter,
  Histogram,
  Meter,
  MeterProvider,
  Span,
  SpanContext,
  Tracer,
  TracerProvider,
  UpDownCounter,
} from "npm:@opentelemetry/api@1.9.1";
