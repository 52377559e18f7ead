/**
 * The caller's side of a call's telemetry: one span per call, a child span
 * per attempt (each worker tried), the dispatch and permit-wait metrics, and
 * the trace carrier each attempt puts in its Task frame.
 *
 * ```
 * wool.call <export>     INTERNAL  wool.module, wool.export, wool.attempts,
 * │                                wool.worker.address (accepting worker),
 * │                                wool.outcome, error.type
 * ├─ wool.attempt        CLIENT    wool.attempt, wool.worker.address,
 * │                                wool.permit.wait_ms, wool.outcome
 * │                                ("rejected": wool.status_code,
 * │                                wool.rejection.reason)
 * │  └─ wool.task …      SERVER    in the worker that was tried
 * └─ wool.attempt        CLIENT    the next worker, "accepted"
 *    └─ wool.task …      SERVER
 * ```
 *
 * Use, in the dispatcher:
 *
 * ```ts ignore
 * const call = startCallTelemetry(dispatchCall);      // { module, export }
 * for (const worker of candidates) {
 *   const attempt = call.startAttempt(worker.address);
 *   await permits.acquire(signal);
 *   attempt.permitAcquired();
 *   const carrier = attempt.traceContext();           // into the Task frame
 *   // … Ack → attempt.accepted(); status → attempt.rejected({ code, message })
 * }
 * call.end("ok");                                     // when the call settles
 * ```
 *
 * With neither a tracer nor a meter provider registered,
 * {@linkcode startCallTelemetry} returns a shared no-op object whose
 * attempts are shared no-op objects too: nothing is allocated per call.
 *
 * @module
 */
import {
  type Context,
  context,
  type Span,
  SpanKind,
  trace,
  type Tracer,
} from "./otel_api.ts";
import { attributesOf, WOOL_ATTRIBUTES } from "./attributes.ts";
import { activeInstruments, type WoolInstruments } from "./instruments.ts";
import { recordSpanError } from "./span_error.ts";
import { activeTracer } from "./tracer.ts";
import { extractTraceContext, traceCarrierOf } from "./trace_context.ts";
import { EMPTY_TRACE_CARRIER, type TraceCarrier } from "./trace_carrier.ts";

/** What the telemetry needs of a call: the existing call object will do. */
export interface CallRef {
  /** The task module specifier (a URL counts as its href). */
  readonly module: string | URL;
  /** The name of the export called. */
  readonly export: string;
}

/**
 * How a call ended:
 *
 * - `"ok"`: it returned (or its stream ended) normally;
 * - `"error"`: the task threw, or the runtime failed it;
 * - `"rejected"`: no worker admitted it (`NoWorkersAvailable`);
 * - `"timeout"`: its `timeoutMs` ran out (`DispatchTimeout`);
 * - `"cancelled"`: its signal was aborted, or the pool closed under it.
 */
export type CallOutcome = "ok" | "error" | "rejected" | "timeout" | "cancelled";

/** Why an attempt did not reach the worker's Ack: a gRPC status. */
export interface AttemptCause {
  /** The status name, e.g. `"RESOURCE_EXHAUSTED"`. */
  readonly code: string;
  /** The status message: the hook's reason, or what failed. */
  readonly message: string;
}

/** The telemetry of one call; see the module doc for the order of use. */
export interface CallTelemetry {
  /**
   * Starts an attempt on one worker: its span, and the clock of its wait
   * for a dispatch permit.
   */
  startAttempt(address: string): AttemptTelemetry;
  /**
   * Ends the call: its span gets the outcome and the number of attempts;
   * when no attempt was accepted, the dispatch duration is recorded with
   * this outcome. Later calls do nothing.
   */
  end(outcome: CallOutcome, error?: unknown): void;
}

/** The telemetry of one attempt of a call on one worker. */
export interface AttemptTelemetry {
  /** The attempt holds its dispatch permit: records the wait. */
  permitAcquired(): void;
  /** The carrier for this attempt's Task frame: the attempt span as parent. */
  traceContext(): TraceCarrier;
  /** The worker sent its Ack: ends the attempt, records dispatch time. */
  accepted(): void;
  /** The worker answered with a status before any Ack. */
  rejected(cause: AttemptCause): void;
  /** The attempt failed otherwise (abort, broken connection, bad frame). */
  failed(error: unknown): void;
}

const NOOP_ATTEMPT: AttemptTelemetry = Object.freeze({
  permitAcquired(): void {},
  traceContext: (): TraceCarrier => EMPTY_TRACE_CARRIER,
  accepted(): void {},
  rejected(_cause: AttemptCause): void {},
  failed(_error: unknown): void {},
});

/** The telemetry of a call when nothing records it; shared, frozen. */
export const NOOP_CALL_TELEMETRY: CallTelemetry = Object.freeze({
  startAttempt: (_address: string): AttemptTelemetry => NOOP_ATTEMPT,
  end(_outcome: CallOutcome, _error?: unknown): void {},
});

/**
 * Starts the telemetry of a call, in the active context (so a span active in
 * the caller becomes the call's parent), or under the remote span that
 * `carrier` names: a nested call, whose parent is the span active in the
 * task that made it, in a worker.
 *
 * @param call The call: its module and export.
 * @param carrier The trace context a nested call arrived with, if any.
 * @returns Its telemetry; the shared no-op one when neither tracing nor
 * metrics are on.
 */
export function startCallTelemetry(
  call: CallRef,
  carrier?: TraceCarrier,
): CallTelemetry {
  const tracer = activeTracer();
  const instruments = activeInstruments();
  if (tracer === undefined && instruments === undefined) {
    return NOOP_CALL_TELEMETRY;
  }
  const parent = carrier?.traceparent
    ? extractTraceContext(carrier, context.active())
    : context.active();
  return new RecordingCall(call, tracer, instruments, parent);
}

class RecordingCall implements CallTelemetry {
  readonly #tracer: Tracer | undefined;
  readonly #instruments: WoolInstruments | undefined;
  readonly #span: Span | undefined;
  readonly #context: Context;
  readonly #start = performance.now();
  #attempts = 0;
  #acceptedBy: string | undefined;
  #ended = false;

  constructor(
    call: CallRef,
    tracer: Tracer | undefined,
    instruments: WoolInstruments | undefined,
    parent: Context,
  ) {
    this.#tracer = tracer;
    this.#instruments = instruments;
    if (tracer === undefined) {
      this.#context = parent;
      return;
    }
    const module = String(call.module);
    this.#span = tracer.startSpan(`wool.call ${call.export}`, {
      kind: SpanKind.INTERNAL,
      attributes: {
        [WOOL_ATTRIBUTES.module]: module,
        [WOOL_ATTRIBUTES.export]: call.export,
      },
    }, parent);
    this.#context = trace.setSpan(parent, this.#span);
  }

  startAttempt(address: string): AttemptTelemetry {
    this.#attempts++;
    return new RecordingAttempt(this, address, this.#attempts);
  }

  end(outcome: CallOutcome, error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#acceptedBy === undefined) this.#recordDispatch(outcome);
    const span = this.#span;
    if (span === undefined) return;
    span.setAttribute(WOOL_ATTRIBUTES.attempts, this.#attempts);
    span.setAttribute(WOOL_ATTRIBUTES.outcome, outcome);
    if (this.#acceptedBy !== undefined) {
      span.setAttribute(WOOL_ATTRIBUTES.workerAddress, this.#acceptedBy);
    }
    if (outcome !== "ok") recordSpanError(span, outcome, error);
    span.end();
  }

  /** @internal Starts an attempt span under the call span. */
  startAttemptSpan(address: string, number: number): Span | undefined {
    return this.#tracer?.startSpan("wool.attempt", {
      kind: SpanKind.CLIENT,
      attributes: {
        [WOOL_ATTRIBUTES.attempt]: number,
        [WOOL_ATTRIBUTES.workerAddress]: address,
      },
    }, this.#context);
  }

  /** @internal The instruments the call records to. */
  get instruments(): WoolInstruments | undefined {
    return this.#instruments;
  }

  /** @internal An attempt was accepted by the worker at `address`. */
  attemptAccepted(address: string): void {
    if (this.#acceptedBy !== undefined) return;
    this.#acceptedBy = address;
    this.#recordDispatch("accepted");
  }

  #recordDispatch(outcome: string): void {
    this.#instruments?.dispatchDuration.record(
      (performance.now() - this.#start) / 1000,
      attributesOf(WOOL_ATTRIBUTES.outcome, outcome),
    );
  }
}

class RecordingAttempt implements AttemptTelemetry {
  readonly #call: RecordingCall;
  readonly #address: string;
  readonly #span: Span | undefined;
  readonly #start = performance.now();
  #ended = false;

  constructor(call: RecordingCall, address: string, number: number) {
    this.#call = call;
    this.#address = address;
    this.#span = call.startAttemptSpan(address, number);
  }

  permitAcquired(): void {
    const waitedMs = performance.now() - this.#start;
    this.#span?.setAttribute(WOOL_ATTRIBUTES.permitWaitMs, waitedMs);
    this.#call.instruments?.permitWait.record(
      waitedMs / 1000,
      attributesOf(WOOL_ATTRIBUTES.workerAddress, this.#address),
    );
  }

  traceContext(): TraceCarrier {
    const span = this.#span;
    if (span === undefined) return EMPTY_TRACE_CARRIER;
    return traceCarrierOf(span.spanContext());
  }

  accepted(): void {
    if (!this.#end("accepted")) return;
    this.#call.attemptAccepted(this.#address);
    this.#span?.end();
  }

  rejected(cause: AttemptCause): void {
    if (!this.#end("rejected")) return;
    const span = this.#span;
    if (span === undefined) return;
    span.setAttribute(WOOL_ATTRIBUTES.statusCode, cause.code);
    span.setAttribute(WOOL_ATTRIBUTES.rejectionReason, cause.message);
    span.end();
  }

  failed(error: unknown): void {
    if (!this.#end("failed")) return;
    const span = this.#span;
    if (span === undefined) return;
    recordSpanError(span, "failed", error);
    span.end();
  }

  #end(outcome: string): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    this.#span?.setAttribute(WOOL_ATTRIBUTES.outcome, outcome);
    return true;
  }
}
