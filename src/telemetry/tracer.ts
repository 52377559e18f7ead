/**
 * wool's tracer, or `undefined` when no tracer provider is registered: the
 * check that keeps the hot path free of allocation when tracing is off.
 *
 * The API's own no-op path still allocates a non-recording span per
 * `startSpan()`; asking first whether a provider exists costs a global
 * lookup and an identity check, and lets callers hand out shared no-op
 * objects instead.
 *
 * @module
 */
import {
  ProxyTracerProvider,
  trace,
  type Tracer,
  type TracerProvider,
} from "./otel_api.ts";

/** The instrumentation scope of wool's spans and metrics. */
export const INSTRUMENTATION_SCOPE = "@wool/core";

/**
 * The provider a proxy with no delegate answers with: a fresh proxy's
 * delegate is the API's shared no-op provider.
 */
const NOOP_TRACER_PROVIDER: TracerProvider = new ProxyTracerProvider()
  .getDelegate();

let cachedProvider: TracerProvider | undefined;
let cachedTracer: Tracer | undefined;

/**
 * The tracer wool's spans come from, when one is registered.
 *
 * Registered means: an SDK set a provider (`trace.setGlobalTracerProvider`),
 * or Deno's built-in OpenTelemetry is on (`OTEL_DENO=true`). The tracer is
 * cached per provider, so registering a new one (after
 * `trace.disable()`) takes effect at the next call.
 *
 * @returns The tracer, or `undefined` when tracing is off.
 */
export function activeTracer(): Tracer | undefined {
  let provider = trace.getTracerProvider();
  if (provider instanceof ProxyTracerProvider) {
    provider = provider.getDelegate();
  }
  if (provider === NOOP_TRACER_PROVIDER) return undefined;
  if (provider !== cachedProvider) {
    cachedProvider = provider;
    cachedTracer = provider.getTracer(INSTRUMENTATION_SCOPE);
  }
  return cachedTracer;
}
