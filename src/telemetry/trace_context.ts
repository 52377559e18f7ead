/**
 * W3C Trace Context (`traceparent`, `tracestate`) as wool carries it between
 * a caller and a worker, so that one trace spans both processes.
 *
 * The caller puts a {@linkcode TraceCarrier} in each attempt's Task frame
 * (fields `traceparent = 10` and `tracestate = 11` of `wool.v1.Task`, not
 * gRPC metadata: a `Session` stream carries many tasks, and metadata is the
 * stream's; see docs/telemetry.md); the worker turns it back into the parent
 * context of its task span. wool formats and parses the two fields itself, to
 * [W3C Trace Context](https://www.w3.org/TR/trace-context/) level 1,
 * whatever propagator is registered globally: the carrier is part of wool's
 * protocol, read by wool only, and it must work with no SDK configured
 * beyond a tracer provider.
 *
 * A carrier comes from the network, so nothing here throws on it: a missing,
 * empty or malformed `traceparent` starts a new trace, and invalid
 * `tracestate` members are dropped.
 *
 * @module
 */
import {
  type Context,
  context,
  createTraceState,
  isSpanContextValid,
  isValidSpanId,
  isValidTraceId,
  ROOT_CONTEXT,
  type SpanContext,
  trace,
} from "./otel_api.ts";
import { EMPTY_TRACE_CARRIER, type TraceCarrier } from "./trace_carrier.ts";

const TRACEPARENT =
  /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The carrier for a context: the `traceparent` (and `tracestate`) of the span
 * active in it.
 *
 * Without a tracer provider there is no span, and the result is the shared
 * {@linkcode EMPTY_TRACE_CARRIER}: nothing is allocated.
 *
 * @example Carrying the active span's context
 * ```ts
 * import { injectTraceContext } from "./trace_context.ts";
 * import { ROOT_CONTEXT, trace, TraceFlags } from "./otel_api.ts";
 * import assert from "node:assert/strict";
 *
 * const parent = trace.setSpanContext(ROOT_CONTEXT, {
 *   traceId: "0af7651916cd43dd8448eb211c80319c",
 *   spanId: "b7ad6b7169203331",
 *   traceFlags: TraceFlags.SAMPLED,
 * });
 * assert.deepEqual(injectTraceContext(parent), {
 *   traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
 * });
 * assert.deepEqual(injectTraceContext(ROOT_CONTEXT), {});
 * ```
 *
 * @param from The context to read; by default the active one.
 * @returns The carrier; empty when `from` holds no valid span context.
 */
export function injectTraceContext(
  from: Context = context.active(),
): TraceCarrier {
  const spanContext = trace.getSpanContext(from);
  if (spanContext === undefined || !isSpanContextValid(spanContext)) {
    return EMPTY_TRACE_CARRIER;
  }
  return traceCarrierOf(spanContext);
}

/**
 * The carrier naming `spanContext` as the parent, without checking it (see
 * {@linkcode injectTraceContext} for the checked form).
 *
 * @param spanContext A valid span context.
 * @returns Its `traceparent`, and its `tracestate` when it has entries.
 */
export function traceCarrierOf(spanContext: SpanContext): TraceCarrier {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, "0");
  const traceparent =
    `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
  const tracestate = spanContext.traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/**
 * The context a worker runs a task in: `base` with the caller's span (from
 * the carrier) as the remote parent.
 *
 * @example A worker joining the caller's trace
 * ```ts
 * import { extractTraceContext } from "./trace_context.ts";
 * import { trace } from "./otel_api.ts";
 * import assert from "node:assert/strict";
 *
 * const parent = extractTraceContext({
 *   traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
 *   tracestate: "vendor=x",
 * });
 * const spanContext = trace.getSpanContext(parent);
 * assert.equal(spanContext?.spanId, "b7ad6b7169203331");
 * assert.equal(spanContext?.isRemote, true);
 * assert.equal(spanContext?.traceState?.get("vendor"), "x");
 *
 * // Anything malformed starts a new trace.
 * assert.equal(trace.getSpanContext(extractTraceContext({ traceparent: "junk" })), undefined);
 * ```
 *
 * @param carrier The carrier from the Task frame; `undefined`, empty or
 * malformed carriers give `base` unchanged.
 * @param base The context to add the parent to; by default the root
 * context, so that nothing of the worker's own context leaks in.
 * @returns The context holding the caller's span as a remote parent.
 */
export function extractTraceContext(
  carrier: TraceCarrier | undefined,
  base: Context = ROOT_CONTEXT,
): Context {
  const spanContext = parseTraceparent(carrier?.traceparent);
  if (spanContext === undefined) return base;
  const tracestate = carrier?.tracestate;
  if (typeof tracestate === "string" && tracestate !== "") {
    spanContext.traceState = createTraceState(tracestate);
  }
  return trace.setSpanContext(base, spanContext);
}

/**
 * Parses a `traceparent` value into a remote span context.
 *
 * Follows the W3C rules: version `ff` is invalid; version `00` has exactly
 * four fields; a later version may add fields, which are ignored; trace and
 * span ids must not be all zeros. Surrounding whitespace is trimmed.
 *
 * @param value The header value; anything but a string is invalid.
 * @returns The span context (`isRemote: true`), or `undefined` when the
 * value is not a valid `traceparent`.
 */
export function parseTraceparent(value: unknown): SpanContext | undefined {
  if (typeof value !== "string") return undefined;
  const match = TRACEPARENT.exec(value.trim());
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === "ff" || (version === "00" && rest !== undefined)) {
    return undefined;
  }
  if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return undefined;
  return {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16),
    isRemote: true,
  };
}
