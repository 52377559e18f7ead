/**
 * Whether anything has registered with OpenTelemetry in this process,
 * read without loading OpenTelemetry's API.
 *
 * Every 1.x copy of `@opentelemetry/api` keeps what is registered (tracer
 * and meter providers, context manager, propagator, logger) in one object
 * on `globalThis`, under `Symbol.for("opentelemetry.js.api.1")`, made at
 * the first registration; until it exists, every call of the API is a
 * no-op. Deno's built-in OpenTelemetry (`OTEL_DENO=true`) makes it before
 * any user code runs; an SDK makes it when it registers.
 *
 * @module
 */

/** Where every 1.x copy of the API keeps its registrations. */
const REGISTRY = Symbol.for("opentelemetry.js.api.1");

/**
 * True once anything has registered with OpenTelemetry's API in this
 * process (the registry stays, emptied, after `trace.disable()`).
 *
 * @example
 * ```ts
 * import { otelRegistered } from "./otel_registry.ts";
 * import { trace } from "./otel_api.ts";
 * import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
 * import assert from "node:assert/strict";
 *
 * if (!otelRegistered()) {
 *   trace.setGlobalTracerProvider(new BasicTracerProvider());
 *   assert.equal(otelRegistered(), true);
 *   trace.disable();
 * }
 * ```
 */
export function otelRegistered(): boolean {
  return (globalThis as Record<symbol, unknown>)[REGISTRY] !== undefined;
}
