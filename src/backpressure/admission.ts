/**
 * Admission control for one task: runs the hook and turns whatever it does
 * into an {@linkcode Admission} value. This file alone decides what a
 * verdict, a throw, a rejection or a timeout means.
 *
 * | The hook…                                   | Admission                        |
 * | ------------------------------------------- | -------------------------------- |
 * | is `null` (none configured)                 | accepted                         |
 * | answers `false` or `{ reject: false }`      | accepted                         |
 * | answers `true` or `{ reject: true, reason }`| rejected, cause `"hook"`         |
 * | answers anything else                       | rejected, cause `"hook-error"`   |
 * | throws, or its promise rejects              | rejected, cause `"hook-error"`   |
 * | does not settle within `timeoutMs`          | rejected, cause `"hook-timeout"` |
 *
 * A hook that answers synchronously is answered synchronously: no promise,
 * no timer, since this runs for every task a worker receives.
 *
 * @module
 */
import type {
  Admission,
  BackpressureContext,
  BackpressureHook,
} from "./types.ts";
import { describeError, describeValue } from "../_util/describe.ts";
import { MAX_TIMER_MS } from "../_util/timeout.ts";

const ACCEPTED: Admission = Object.freeze({ accepted: true });

const STOPPING: Admission = Object.freeze({
  accepted: false,
  cause: "stopping",
  message: "Worker is stopping and admits no new task",
});

const REJECTED_WITHOUT_REASON: Admission = Object.freeze({
  accepted: false,
  cause: "hook",
  message: "Rejected by backpressure hook",
});

const EXPECTED_VERDICT =
  "expected true, false, or { reject: boolean, reason?: string }";

/**
 * Runs `hook` on `ctx` and decides whether the task is admitted.
 *
 * With no hook, or a hook that answers synchronously (throwing included),
 * the result is an {@linkcode Admission} returned synchronously. A hook that
 * returns a promise (any thenable) gets `timeoutMs` milliseconds to settle;
 * the timer is cleared as soon as it does. A synchronous hook cannot be
 * interrupted, so the timeout bounds only the wait for a promise.
 *
 * @param hook The worker's hook, or `null` to accept every task.
 * @param ctx The frozen snapshot the hook decides on.
 * @param timeoutMs Milliseconds an asynchronous hook gets to answer before
 * the task counts as rejected (cause `"hook-timeout"`).
 * @returns The admission, synchronously when the hook answered synchronously.
 * It never throws, and the promise it may return never rejects.
 */
export function admit(
  hook: BackpressureHook | null,
  ctx: BackpressureContext,
  timeoutMs: number,
): Admission | Promise<Admission> {
  if (hook === null) return ACCEPTED;
  let answer: unknown;
  try {
    answer = hook(ctx);
  } catch (error) {
    return rejectHookError(error);
  }
  let thenable: boolean;
  try {
    thenable = isThenable(answer);
  } catch (error) {
    // A `then` getter that throws.
    return rejectHookError(error);
  }
  return thenable
    ? awaitVerdict(answer as PromiseLike<unknown>, timeoutMs)
    : admitVerdict(answer, "returned");
}

/**
 * The admission of a task that arrives while the worker is stopping.
 *
 * @returns A rejection with cause `"stopping"`.
 */
export function rejectStopping(): Admission {
  return STOPPING;
}

/**
 * The admission of a worker with no hook, which accepts every task.
 *
 * @returns An acceptance.
 */
export function acceptAll(): Admission {
  return ACCEPTED;
}

function isThenable(value: unknown): boolean {
  return (typeof value === "object" && value !== null ||
    typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function";
}

function awaitVerdict(
  answer: PromiseLike<unknown>,
  timeoutMs: number,
): Promise<Admission> {
  return new Promise((resolve) => {
    let settled = false;
    function settle(admission: Admission): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(admission);
    }
    const timer = setTimeout(
      () => settle(rejectTimeout(timeoutMs)),
      clampDelay(timeoutMs),
    );
    // Promise.resolve adopts any thenable, including one whose `then` throws
    // or calls back twice.
    Promise.resolve(answer).then(
      (verdict) => settle(admitVerdict(verdict, "resolved to")),
      (error) => settle(rejectHookError(error)),
    );
  });
}

function admitVerdict(verdict: unknown, answered: string): Admission {
  if (verdict === false) return ACCEPTED;
  if (verdict === true) return rejectByHook(undefined);
  try {
    if (typeof verdict === "object" && verdict !== null) {
      const { reject, reason } = verdict as {
        reject?: unknown;
        reason?: unknown;
      };
      if (
        typeof reject === "boolean" &&
        (reason === undefined || typeof reason === "string")
      ) {
        return reject ? rejectByHook(reason) : ACCEPTED;
      }
    }
  } catch (error) {
    // A verdict whose `reject` or `reason` getter throws.
    return rejectHookError(error);
  }
  return Object.freeze({
    accepted: false,
    cause: "hook-error",
    message: `Backpressure hook ${answered} ${
      describeVerdict(verdict)
    }; ${EXPECTED_VERDICT}`,
  });
}

function describeVerdict(verdict: unknown): string {
  if (typeof verdict !== "object" || verdict === null) {
    return describeValue(verdict);
  }
  try {
    const { reject, reason } = verdict as {
      reject?: unknown;
      reason?: unknown;
    };
    if (typeof reject !== "boolean") {
      return `${describeValue(verdict)} whose "reject" is ${
        describeValue(reject)
      }`;
    }
    return `${describeValue(verdict)} whose "reason" is ${
      describeValue(reason)
    }`;
  } catch {
    return describeValue(verdict);
  }
}

function rejectByHook(reason: string | undefined): Admission {
  return reason === undefined || reason === ""
    ? REJECTED_WITHOUT_REASON
    : Object.freeze({
      accepted: false,
      cause: "hook",
      reason,
      message: `Rejected by backpressure hook: ${reason}`,
    });
}

function rejectHookError(error: unknown): Admission {
  return Object.freeze({
    accepted: false,
    cause: "hook-error",
    message: `Backpressure hook threw: ${describeError(error)}`,
  });
}

function rejectTimeout(timeoutMs: number): Admission {
  return Object.freeze({
    accepted: false,
    cause: "hook-timeout",
    message: `Backpressure hook did not answer within ${timeoutMs} ms`,
  });
}

function clampDelay(timeoutMs: number): number {
  return timeoutMs > 0 ? Math.min(timeoutMs, MAX_TIMER_MS) : 0;
}
