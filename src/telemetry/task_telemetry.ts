/**
 * The worker's side of a task's telemetry: one span per task, child of the
 * caller's attempt span through the Task frame's trace carrier, and the
 * admission metrics (tasks accepted and rejected by cause, hook latency,
 * active tasks).
 *
 * ```
 * wool.task <export>   SERVER  wool.module, wool.export, wool.task.id,
 *                              wool.admission.verdict,
 *                              wool.admission.hook_duration_ms,
 *                              rejected: wool.rejection.cause, wool.rejection.reason
 *                              accepted: wool.task.run_duration_ms,
 *                                        wool.outcome, error.type
 * ```
 *
 * Use, in the worker's task session:
 *
 * ```ts ignore
 * const telemetry = startTaskTelemetry(frame.traceContext, task); // after decoding
 * telemetry.hookStarted();                                         // only with a hook
 * const admission = await admit(hook, ctx);
 * if (!admission.accepted) telemetry.rejected(admission.cause, admission.message);
 * else {
 *   telemetry.accepted();                                          // in the docket
 *   try { await telemetry.run(() => drive(task)); telemetry.end("ok"); }
 *   catch (error) { telemetry.end("error", error); }
 * }
 * ```
 *
 * With neither a tracer nor a meter provider registered,
 * {@linkcode startTaskTelemetry} returns a shared no-op object, and the
 * carrier is not even parsed.
 *
 * @module
 */
import {
  type Context,
  context,
  type Span,
  SpanKind,
  trace,
} from "./otel_api.ts";
import { attributesOf, WOOL_ATTRIBUTES } from "./attributes.ts";
import { activeInstruments, type WoolInstruments } from "./instruments.ts";
import { recordSpanError } from "./span_error.ts";
import { activeTracer } from "./tracer.ts";
import { extractTraceContext } from "./trace_context.ts";
import type { TraceCarrier } from "./trace_carrier.ts";
import {
  NOOP_TASK_TELEMETRY,
  type TaskOutcome,
  type TaskRef,
  type TaskTelemetry,
} from "./task_telemetry_types.ts";

/**
 * Starts the telemetry of a task that a worker has decoded.
 *
 * @param carrier The trace carrier of the Task frame; the task span's
 * parent is the caller's span it names (a new trace when it names none).
 * @param task The task: its id, module and export.
 * @returns Its telemetry; the shared no-op one when neither tracing nor
 * metrics are on.
 */
export function startTaskTelemetry(
  carrier: TraceCarrier | undefined,
  task: TaskRef,
): TaskTelemetry {
  const tracer = activeTracer();
  const instruments = activeInstruments();
  if (tracer === undefined && instruments === undefined) {
    return NOOP_TASK_TELEMETRY;
  }
  let span: Span | undefined;
  let spanContext: Context | undefined;
  if (tracer !== undefined) {
    const parent = extractTraceContext(carrier);
    span = tracer.startSpan(`wool.task ${task.export}`, {
      kind: SpanKind.SERVER,
      attributes: {
        [WOOL_ATTRIBUTES.module]: task.module,
        [WOOL_ATTRIBUTES.export]: task.export,
        ...(task.id === undefined ? {} : { [WOOL_ATTRIBUTES.taskId]: task.id }),
      },
    }, parent);
    spanContext = trace.setSpan(parent, span);
  }
  return new RecordingTask(span, spanContext, instruments);
}

class RecordingTask implements TaskTelemetry {
  readonly #span: Span | undefined;
  readonly #context: Context | undefined;
  readonly #instruments: WoolInstruments | undefined;
  #hookStart: number | undefined;
  #runStart: number | undefined;
  #state: "deciding" | "running" | "ended" = "deciding";

  constructor(
    span: Span | undefined,
    spanContext: Context | undefined,
    instruments: WoolInstruments | undefined,
  ) {
    this.#span = span;
    this.#context = spanContext;
    this.#instruments = instruments;
  }

  hookStarted(): void {
    this.#hookStart = performance.now();
  }

  accepted(): void {
    if (this.#state !== "deciding") return;
    this.#state = "running";
    this.#decided("accepted");
    this.#instruments?.tasksAccepted.add(1);
    this.#instruments?.tasksActive.add(1);
    this.#runStart = performance.now();
  }

  rejected(cause: string, reason?: string): void {
    if (this.#state !== "deciding") return;
    this.#state = "ended";
    this.#decided("rejected");
    this.#instruments?.tasksRejected.add(
      1,
      attributesOf(WOOL_ATTRIBUTES.rejectionCause, cause),
    );
    const span = this.#span;
    if (span === undefined) return;
    span.setAttribute(WOOL_ATTRIBUTES.rejectionCause, cause);
    if (reason !== undefined) {
      span.setAttribute(WOOL_ATTRIBUTES.rejectionReason, reason);
    }
    span.end();
  }

  run<T>(fn: () => T): T {
    const spanContext = this.#context;
    return spanContext === undefined ? fn() : context.with(spanContext, fn);
  }

  end(outcome: TaskOutcome, error?: unknown): void {
    if (this.#state !== "running") return;
    this.#state = "ended";
    this.#instruments?.tasksActive.add(-1);
    const span = this.#span;
    if (span === undefined) return;
    span.setAttribute(
      WOOL_ATTRIBUTES.runDurationMs,
      performance.now() - (this.#runStart ?? 0),
    );
    span.setAttribute(WOOL_ATTRIBUTES.outcome, outcome);
    if (outcome !== "ok") recordSpanError(span, outcome, error);
    span.end();
  }

  #decided(verdict: "accepted" | "rejected"): void {
    this.#span?.setAttribute(WOOL_ATTRIBUTES.verdict, verdict);
    if (this.#hookStart === undefined) return;
    const hookMs = performance.now() - this.#hookStart;
    this.#span?.setAttribute(WOOL_ATTRIBUTES.hookDurationMs, hookMs);
    this.#instruments?.hookDuration.record(
      hookMs / 1000,
      attributesOf(WOOL_ATTRIBUTES.verdict, verdict),
    );
  }
}
