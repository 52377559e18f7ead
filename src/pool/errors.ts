/**
 * The errors a call fails with inside the pool, and the diagnosis of a
 * worker lost with a task in flight.
 *
 * @module
 */
import { TIMED_OUT, withTimeout } from "../_util/timeout.ts";
import { WoolError } from "../errors.ts";
import type { StatusFrame } from "../wire/frames.ts";
import { statusName } from "../wire/status.ts";
import type { WorkerEnd, WorkerEntry } from "./roster.ts";

/** How long a call whose connection broke waits to learn the worker died. */
const CRASH_REPORT_WAIT_MS = 1000;

/**
 * A call's `timeoutMs` ran out before it finished; the worker was told to
 * cancel the task.
 *
 * @example Giving a call a time budget
 * ```ts
 * import { DispatchTimeout } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const error = new DispatchTimeout(250);
 * assert.equal(error.timeoutMs, 250);
 * assert.match(error.message, /250 ms/);
 * ```
 */
export class DispatchTimeout extends WoolError {
  /** The budget that ran out, in milliseconds. */
  readonly timeoutMs: number;

  /** Builds the error for a budget of `timeoutMs`. */
  constructor(timeoutMs: number, options?: ErrorOptions) {
    super(
      `The call did not finish within its timeout of ${timeoutMs} ms`,
      options,
    );
    this.timeoutMs = timeoutMs;
  }
}

/** The details of a worker's end, for {@linkcode WorkerCrashed}. */
export interface WorkerCrashDetails {
  readonly workerId: string;
  readonly pid: number;
  /** Exit code, or `null` when it has not exited (the connection broke). */
  readonly exitCode: number | null;
  /** The signal that ended it, e.g. `"SIGKILL"`, or `null`. */
  readonly signal: string | null;
  /**
   * Why it ended, when known: the pool ended it (it hung), or it ran out of
   * memory.
   */
  readonly reason?: string;
}

/**
 * The worker running a task died (or its connection broke) before the task
 * finished. The task may have run in part; it is not retried. The message
 * says how the worker ended, and why when the pool knows: it killed the
 * worker as hung, or the worker ran out of memory (V8's report on its
 * stderr; see `worker.resourceLimits`).
 *
 * @example Reading how the worker ended
 * ```ts
 * import { WorkerCrashed } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const error = new WorkerCrashed({ workerId: "w1", pid: 42, exitCode: null, signal: "SIGKILL" });
 * assert.equal(error.signal, "SIGKILL");
 * assert.match(error.message, /w1/);
 * ```
 */
export class WorkerCrashed extends WoolError {
  /** The worker's id in its pool. */
  readonly workerId: string;
  /** The worker's process id. */
  readonly pid: number;
  /** Its exit code, or `null` when a signal ended it or it has not exited. */
  readonly exitCode: number | null;
  /** The signal that ended it, or `null`. */
  readonly signal: string | null;

  /** Builds the error from how the worker ended. */
  constructor(details: WorkerCrashDetails, options?: ErrorOptions) {
    super(describeCrash(details), options);
    this.workerId = details.workerId;
    this.pid = details.pid;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
  }
}

function describeCrash(details: WorkerCrashDetails): string {
  const how = describeEnd(details);
  return details.reason ? `${how}: ${details.reason}` : how;
}

function describeEnd(details: WorkerCrashDetails): string {
  const who = `worker ${details.workerId} (pid ${details.pid})`;
  if (details.signal) {
    return `The ${who} was killed by ${details.signal} while running the task`;
  }
  if (details.exitCode !== null) {
    return `The ${who} exited with code ${details.exitCode} while running the task`;
  }
  return `The connection to ${who} broke while it was running the task`;
}

/**
 * The error for a task whose worker stopped answering (its channel ended
 * with `status` before the task finished): `WorkerCrashed` with how the
 * process ended, once it is known, or `null`s when it is still alive a
 * second later and only the connection broke — at once for a discovered
 * worker, whose process the pool cannot watch.
 */
export async function workerLost(
  worker: WorkerEntry,
  status: StatusFrame,
): Promise<WorkerCrashed> {
  const exit = worker.exited && await exitOf(worker.exited);
  const statusError = new Error(
    `${statusName(status.code)}: ${status.details}`,
  );
  return new WorkerCrashed({
    workerId: worker.info.id,
    pid: worker.info.pid,
    exitCode: exit && exit.signal === null ? exit.code : null,
    signal: exit?.signal ?? null,
    ...(exit?.reason === undefined ? {} : { reason: exit.reason }),
  }, { cause: statusError });
}

/** How the process ended, once known within a second. */
async function exitOf(
  exited: Promise<WorkerEnd>,
): Promise<WorkerEnd | undefined> {
  let ended = await withTimeout(exited, CRASH_REPORT_WAIT_MS);
  // After a stall, the event loop runs its expired timers before the I/O
  // that became ready meanwhile: an exit already reported gets one turn.
  if (ended === TIMED_OUT) ended = await withTimeout(exited, 0);
  return ended === TIMED_OUT ? undefined : ended;
}

/**
 * The pool is closing or closed: it takes no new call, and a call still
 * running when the grace period ended was cancelled.
 *
 * @example Calls after close() reject
 * ```ts
 * import { PoolClosed, WorkerPool } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const pool = await WorkerPool.start({ spawn: 1 });
 * await pool.close();
 * await assert.rejects(
 *   pool.dispatch({ module: "data:text/javascript,export const f = () => 1", export: "f" }),
 *   PoolClosed,
 * );
 * ```
 */
export class PoolClosed extends WoolError {
  /** Builds the error; the default message says the pool is closed. */
  constructor(message = "The worker pool is closed", options?: ErrorOptions) {
    super(message, options);
  }
}
