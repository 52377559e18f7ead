/**
 * The trace context of a call as it travels in a Task frame, apart from
 * the code that makes and reads it (`trace_context.ts`): what imports only
 * this does not load OpenTelemetry's API.
 *
 * @module
 */

/**
 * The trace context of a call, as it travels in a Task frame: the W3C
 * `traceparent` and `tracestate` values, each absent when there is none.
 */
export interface TraceCarrier {
  /** `00-<trace id>-<parent span id>-<flags>`, lower-case hex. */
  readonly traceparent?: string;
  /** Vendor entries, `key=value` pairs separated by commas. */
  readonly tracestate?: string;
}

/** The carrier of a call that is not traced; shared, frozen. */
export const EMPTY_TRACE_CARRIER: TraceCarrier = Object.freeze({});
