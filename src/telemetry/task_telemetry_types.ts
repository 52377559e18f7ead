/**
 * What a task's telemetry offers a worker, and the shared no-op one, apart
 * from the code that records (`task_telemetry.ts`): what imports only this
 * does not load OpenTelemetry's API.
 *
 * @module
 */

/** What the telemetry needs of a task: the decoded task will do. */
export interface TaskRef {
  /** The task id, when the task has one. */
  readonly id?: string;
  /** The task module specifier, as the caller sent it. */
  readonly module: string;
  /** The name of the export to run. */
  readonly export: string;
}

/**
 * How an admitted task ended:
 *
 * - `"ok"`: it returned (or its stream ended);
 * - `"error"`: it threw;
 * - `"cancelled"`: it was cancelled (the caller aborted, or the pool closed).
 */
export type TaskOutcome = "ok" | "error" | "cancelled";

/** The telemetry of one task in a worker; see `task_telemetry.ts`. */
export interface TaskTelemetry {
  /** The backpressure hook is about to run: starts the hook clock. */
  hookStarted(): void;
  /**
   * The task was admitted: it is in the docket (its Ack follows once its
   * module is loaded; a module that cannot load ends it as an error).
   */
  accepted(): void;
  /**
   * The task was rejected before it entered the docket; this ends its span.
   *
   * @param cause The rejection cause (`"hook"`, `"hook-error"`,
   * `"hook-timeout"`, `"stopping"`, …), a metric attribute.
   * @param reason The message the caller gets; on the span only.
   */
  rejected(cause: string, reason?: string): void;
  /**
   * Runs `fn` with the task span active, so spans that task code starts are
   * its children (with a context manager that follows `await`).
   */
  run<T>(fn: () => T): T;
  /** The admitted task ended; this ends its span. Later calls do nothing. */
  end(outcome: TaskOutcome, error?: unknown): void;
}

/** The telemetry of a task when nothing records it; shared, frozen. */
export const NOOP_TASK_TELEMETRY: TaskTelemetry = Object.freeze({
  hookStarted(): void {},
  accepted(): void {},
  rejected(_cause: string, _reason?: string): void {},
  run: <T>(fn: () => T): T => fn(),
  end(_outcome: TaskOutcome, _error?: unknown): void {},
});
