/**
 * A worker's door to its telemetry, which loads OpenTelemetry's API and
 * wool's recording code only once something in the worker's process uses
 * OpenTelemetry.
 *
 * Importing them costs a worker ~13 ms of its ~100 ms of start-up imports,
 * paid by every pool start, and with nothing registered they only hand out
 * no-op objects. Whether anything is registered can be read without the
 * API (`otel_registry.ts`). So until something is, a task gets the shared
 * no-op telemetry and a nested call an empty trace carrier — what the API
 * would give — and nothing more is imported. Once something is, the
 * modules are imported once, and every task from then on is recorded:
 *
 * - with `OTEL_DENO=true`, an SDK preloaded into the worker (`--preload`,
 *   as docs/telemetry.md shows) or one the hook's module registers, the
 *   registry is there before the worker serves, and the import starts as
 *   its `WorkerService` is made;
 * - an SDK registered later, by a task's module, is found at the next
 *   task, which waits for the import ({@linkcode telemetryLoading}) before
 *   its admission; the task whose module registered it is not recorded, as
 *   it was not before, and neither do nested calls it makes carry its
 *   spans.
 *
 * @module
 */
import { otelRegistered } from "../telemetry/otel_registry.ts";
import {
  EMPTY_TRACE_CARRIER,
  type TraceCarrier,
} from "../telemetry/trace_carrier.ts";
import {
  NOOP_TASK_TELEMETRY,
  type TaskRef,
  type TaskTelemetry,
} from "../telemetry/task_telemetry_types.ts";

/** The recording code, once imported. */
interface Recording {
  readonly startTaskTelemetry: (
    carrier: TraceCarrier | undefined,
    task: TaskRef,
  ) => TaskTelemetry;
  readonly injectTraceContext: () => TraceCarrier;
}

/** What stands in when the import failed: nothing is recorded. */
const NOT_RECORDING: Recording = Object.freeze({
  startTaskTelemetry: () => NOOP_TASK_TELEMETRY,
  injectTraceContext: () => EMPTY_TRACE_CARRIER,
});

let recording: Recording | undefined;
let loading: Promise<void> | undefined;

/**
 * The import of the recording code, when something has registered with
 * OpenTelemetry and it has not finished yet; `undefined` otherwise (no
 * wait needed). A failed import is reported once on stderr, and nothing
 * is recorded.
 *
 * @example
 * ```ts
 * import { startTaskTelemetry, telemetryLoading } from "./worker_telemetry.ts";
 * import { NOOP_TASK_TELEMETRY } from "../telemetry/task_telemetry_types.ts";
 * import assert from "node:assert/strict";
 *
 * if (telemetryLoading() === undefined) {
 *   // Nothing registered: no-op telemetry, and nothing was imported.
 *   const task = { module: "file:///tasks.ts", export: "add" };
 *   assert.equal(startTaskTelemetry(undefined, task), NOOP_TASK_TELEMETRY);
 * }
 * ```
 */
export function telemetryLoading(): Promise<void> | undefined {
  if (recording !== undefined || !otelRegistered()) return undefined;
  return loading ??= Promise.all([
    import("../telemetry/task_telemetry.ts"),
    import("../telemetry/trace_context.ts"),
  ]).then(
    ([tasks, traces]) => {
      recording = {
        startTaskTelemetry: tasks.startTaskTelemetry,
        injectTraceContext: () => traces.injectTraceContext(),
      };
    },
    (error) => {
      recording = NOT_RECORDING;
      console.error(
        `wool worker: OpenTelemetry is in use, but its API could not be loaded; this worker records no spans or metrics: ${error}`,
      );
    },
  );
}

/**
 * Starts the telemetry of a decoded task: the recording kind once the
 * recording code is loaded, else the shared no-op.
 *
 * @param carrier The trace carrier of the Task frame.
 * @param task The task: its id, module and export.
 */
export function startTaskTelemetry(
  carrier: TraceCarrier | undefined,
  task: TaskRef,
): TaskTelemetry {
  return recording === undefined
    ? NOOP_TASK_TELEMETRY
    : recording.startTaskTelemetry(carrier, task);
}

/**
 * The trace carrier of a nested call made now: the active span's, once the
 * recording code is loaded; else the empty one (no span can be active).
 */
export function injectTraceContext(): TraceCarrier {
  return recording === undefined
    ? EMPTY_TRACE_CARRIER
    : recording.injectTraceContext();
}
