/**
 * Hooks that learn: a backpressure hook may be an object that also hears
 * how each admitted task ended, so it can learn its limit from what it
 * measures instead of from a number the user guesses.
 *
 * ## Contract (DESIGN §1.4 terms)
 *
 * - A hook is a {@linkcode BackpressureHook} function (unchanged) **or** a
 *   {@linkcode BackpressureHookObject}: `{ admit(ctx), settled?(task) }`.
 *   `admit` is exactly the function form (same `BackpressureContext`, same
 *   `Verdict`, same timeout and failure rules). A module's export, or what
 *   a factory returns, may be either form.
 * - `settled` is called once for every task that entered the docket (every
 *   task `admit` accepted and the worker ran), when it leaves the docket,
 *   and for no other task. A rejected task, and a task whose asynchronous
 *   verdict came after `backpressureTimeoutMs` (the worker counted it as
 *   rejected), never settles: a hook that counts its admitted tasks itself
 *   should answer synchronously, or count with `ctx.activeTaskCount`.
 * - It receives a frozen {@linkcode SettledTask}: the same `task` object
 *   `admit` saw (so a `Map` or `WeakMap` keyed on it works), how long the
 *   task waited for admission (`queuedMs`) and ran (`runMs`), its
 *   {@linkcode TaskOutcome}, and whether it was a generator stream.
 * - `settled` runs synchronously in the turn the task leaves the docket,
 *   after it has left: the next `admit` sees `activeTaskCount` and the
 *   hook's own bookkeeping agree. What it returns is ignored; a throw (or a
 *   promise that rejects) is reported and never reaches the task, the
 *   caller or the worker.
 *
 * ## What the times mean in a worker
 *
 * A worker is one JavaScript thread. It reads a Task frame, decides on it
 * through the admission gate (one decision at a time), and runs an admitted
 * task at once: there is no queue inside the worker after admission.
 *
 * - `queuedMs`: from the moment the worker read the task's Task frame to its
 *   admission. It covers the module's first import, decoding the arguments,
 *   waiting behind other decisions at the gate (a slow asynchronous hook)
 *   and the hook's own time. With a synchronous hook and a loaded module it
 *   is close to 0. It does not include time the frame spent unread in the
 *   socket while the thread was busy: a worker cannot see that.
 * - `runMs`: from admission to leaving the docket. Coroutines interleave at
 *   their `await`s and CPU-bound code runs one piece at a time, so for a
 *   CPU-bound task this is the time it waited behind the other admitted
 *   tasks plus its own CPU time: the latency the worker adds, which grows
 *   with the number of tasks admitted together once the thread is busy.
 *   For a generator it spans the whole stream, paced by the caller's pulls.
 * - A thread that is busy all the time cannot gain throughput from more
 *   concurrency, only latency. The time frames wait unread is invisible to
 *   the worker, so the built-in learning hooks measure how busy the thread
 *   is from the process's CPU time (`process.cpuUsage()`); Deno 2.9's
 *   `performance.eventLoopUtilization()` reads all zeros.
 *
 * ## What the worker calls
 *
 * (`hook_loader.ts`, `worker/admission_gate.ts`, `worker/task_session.ts`.)
 *
 * 1. At start-up, after loading the export (and calling a factory with its
 *    options): `const hook = normalizeHook(loaded, { onSettledError })`,
 *    with `onSettledError` reporting the first failure on the worker's
 *    stderr (`worker/settled_reporter.ts`). A `TypeError`
 *    from it is a hook load failure (`HookLoadError`, so `WorkerStartError`
 *    naming the module and export). The gate runs `hook.admit` as it ran a
 *    function hook; nothing else about admission changes.
 * 2. Per task: `receivedAt = performance.now()` when the session reads the
 *    Task frame; `admittedAt = performance.now()` when the gate puts the
 *    task in the docket. The gate keeps them, with the `ctx.task` object
 *    the hook saw (built in `createBackpressureContext`), per admitted task.
 * 3. When the task leaves the docket (`Docket.remove` returns `true`), in
 *    the same turn, after removing it, the session calls
 *    `gate.settle(entry, { outcome, generator })`, which, only when
 *    `hook.settled !== null`, calls:
 *
 *    ```
 *    hook.settled({
 *      task,                               // the ctx.task of step 2
 *      queuedMs: admittedAt - receivedAt,
 *      runMs: performance.now() - admittedAt,
 *      outcome,                            // below
 *      generator,                          // the routine returned a generator
 *    });
 *    ```
 *
 *    `outcome` follows the last frame the session sent for the task:
 *    `Result` (coroutine) or `Done` (generator) → `"ok"`; `Exception`
 *    (thrown, or a result that could not be encoded or was too large) →
 *    `"error"`; no final frame, because the caller cancelled or went away,
 *    the worker cancelled it while stopping, or the caller ended a
 *    generator's stream → `"cancelled"`. A task that entered the docket
 *    and left at once (its caller went away during admission) settles as
 *    `"cancelled"` with its `runMs` near 0.
 * 4. Nothing for a rejected task, nor for a verdict given after
 *    `backpressureTimeoutMs`.
 *
 * @module
 */
import type { BackpressureContext, Task, Verdict } from "./types.ts";
import { describeError, describeValue } from "../_util/describe.ts";

/**
 * How an admitted task ended, as `settled` hears it:
 * - `"ok"`: the coroutine returned, or the generator finished (`Done`), and
 *   the result was sent;
 * - `"error"`: the task threw (an `Exception` frame), or its result could
 *   not be sent (too large, not serializable);
 * - `"cancelled"`: the task was stopped before it ended on its own: the
 *   caller cancelled or went away, its time ran out, the caller stopped
 *   pulling a generator, or the worker cancelled it while stopping.
 *
 * @example Counting failures
 * ```ts
 * import type { TaskOutcome } from "@wool/core/backpressure";
 * import assert from "node:assert/strict";
 *
 * const outcomes: TaskOutcome[] = ["ok", "error", "cancelled", "error"];
 * assert.equal(outcomes.filter((outcome) => outcome === "error").length, 2);
 * ```
 */
export type TaskOutcome = "ok" | "error" | "cancelled";

/**
 * An admitted task that has left the worker's docket: what a learning hook
 * hears through `settled`.
 *
 * @example Averaging how long tasks ran
 * ```ts
 * import type { SettledTask } from "@wool/core/backpressure";
 * import assert from "node:assert/strict";
 *
 * let total = 0;
 * let count = 0;
 * function settled(done: SettledTask): void {
 *   if (done.outcome === "cancelled" || done.generator) return;
 *   total += done.runMs;
 *   count++;
 * }
 * const task = { id: "t1", module: "file:///tasks.ts", export: "add", args: [] };
 * settled({ task, queuedMs: 0.1, runMs: 4, outcome: "ok", generator: false });
 * settled({ task, queuedMs: 0.1, runMs: 6, outcome: "error", generator: false });
 * assert.equal(total / count, 5);
 * ```
 */
export interface SettledTask {
  /** The task, the same frozen object `admit` saw in `ctx.task`. */
  readonly task: Task;
  /**
   * Milliseconds from the worker reading the task's Task frame to its
   * admission (import, decoding, waiting at the gate, the hook itself).
   */
  readonly queuedMs: number;
  /**
   * Milliseconds from admission to leaving the docket: for a CPU-bound
   * task, the wait behind the other admitted tasks plus its own CPU time.
   */
  readonly runMs: number;
  /** How the task ended. */
  readonly outcome: TaskOutcome;
  /**
   * `true` for a generator stream, whose `runMs` spans the whole stream and
   * is paced by the caller's pulls rather than by the worker.
   */
  readonly generator: boolean;
}

/**
 * A backpressure hook that also hears how admitted tasks end. `admit` is a
 * {@linkcode BackpressureHook}; `settled`, when present, is called once per
 * admitted task as it leaves the docket.
 *
 * @example A hook module that caps tasks by the time they take
 * ```ts
 * import type {
 *   BackpressureContext,
 *   BackpressureHookObject,
 *   SettledTask,
 * } from "@wool/core/backpressure";
 *
 * let slow = false;
 * const hook: BackpressureHookObject = {
 *   admit(ctx: BackpressureContext) {
 *     return ctx.activeTaskCount >= (slow ? 1 : 8);
 *   },
 *   settled(done: SettledTask) {
 *     if (!done.generator) slow = done.runMs > 100;
 *   },
 * };
 * export default hook;
 * ```
 */
export interface BackpressureHookObject {
  /** Decides on an incoming task, as a {@linkcode BackpressureHook} does. */
  admit(ctx: BackpressureContext): Verdict | Promise<Verdict>;
  /** Hears how an admitted task ended. */
  settled?(task: SettledTask): void;
}

/** A hook in either form: a function, or an object with `admit`. */
export type AnyBackpressureHook =
  | ((ctx: BackpressureContext) => Verdict | Promise<Verdict>)
  | BackpressureHookObject;

/** The one shape a worker works with, whatever form the hook had. */
export interface NormalizedHook {
  /** Decides on an incoming task; `this` is bound for an object hook. */
  readonly admit: (ctx: BackpressureContext) => Verdict | Promise<Verdict>;
  /**
   * Hears how an admitted task ended; never throws. `null` when the hook
   * has no `settled`, so the worker can skip building the record.
   */
  readonly settled: ((task: SettledTask) => void) | null;
}

/** Options of {@linkcode normalizeHook}. */
export interface NormalizeHookOptions {
  /**
   * Hears what a hook's `settled` threw, or the reason its returned promise
   * rejected, so the worker can report it.
   *
   * @default {(error) => console.error(...)}
   */
  readonly onSettledError?: (error: unknown) => void;
}

/**
 * Turns what a hook module exported (or its factory returned) into a
 * {@linkcode NormalizedHook}: a function becomes `{ admit: fn, settled:
 * null }`; an object with an `admit` method keeps its `settled` (called
 * with the object as `this`, and guarded so it never throws).
 *
 * @param loaded The export, or what the factory returned.
 * @param options Where errors thrown by `settled` go.
 * @returns The hook's `admit` and `settled`.
 * @throws {TypeError} when `loaded` is neither a function nor an object
 * whose `admit` is a function, or `settled` is present and not a function.
 *
 * @example Both forms
 * ```ts
 * import { normalizeHook } from "./hook_object.ts";
 * import assert from "node:assert/strict";
 *
 * const task = { id: "t1", module: "file:///tasks.ts", export: "add", args: [] };
 * const plain = normalizeHook(() => false);
 * assert.equal(plain.admit({ activeTaskCount: 0, task }), false);
 * assert.equal(plain.settled, null);
 *
 * const ran: number[] = [];
 * const learning = normalizeHook({
 *   admit: () => false,
 *   settled: (done: { runMs: number }) => void ran.push(done.runMs),
 * });
 * learning.settled?.({ task, queuedMs: 0, runMs: 3, outcome: "ok", generator: false });
 * assert.deepEqual(ran, [3]);
 * ```
 */
export function normalizeHook(
  loaded: unknown,
  options: NormalizeHookOptions = {},
): NormalizedHook {
  if (typeof loaded === "function") {
    return Object.freeze({
      admit: loaded as NormalizedHook["admit"],
      settled: null,
    });
  }
  if (typeof loaded !== "object" || loaded === null) {
    throw new TypeError(
      `A backpressure hook must be a function or an object with an admit(ctx) method, received ${
        describeValue(loaded)
      }`,
    );
  }
  const object = loaded as Record<string, unknown>;
  const admit = object.admit;
  if (typeof admit !== "function") {
    throw new TypeError(
      `A backpressure hook object must have an admit(ctx) method, but its "admit" is ${
        describeValue(admit)
      }`,
    );
  }
  const settled = object.settled;
  if (settled !== undefined && typeof settled !== "function") {
    throw new TypeError(
      `A backpressure hook object's "settled" must be a function when present, received ${
        describeValue(settled)
      }`,
    );
  }
  const report = options.onSettledError ?? reportSettledError;
  return Object.freeze({
    admit: (ctx: BackpressureContext) => admit.call(loaded, ctx),
    settled: settled === undefined
      ? null
      : guardSettled(loaded, settled as (task: SettledTask) => unknown, report),
  });
}

function guardSettled(
  self: object,
  settled: (task: SettledTask) => unknown,
  report: (error: unknown) => void,
): (task: SettledTask) => void {
  return function guardedSettled(task: SettledTask): void {
    try {
      const returned = settled.call(self, task);
      if (
        typeof returned === "object" && returned !== null &&
        typeof (returned as { then?: unknown }).then === "function"
      ) {
        Promise.resolve(returned).catch((error) => safeReport(report, error));
      }
    } catch (error) {
      safeReport(report, error);
    }
  };
}

function safeReport(report: (error: unknown) => void, error: unknown): void {
  try {
    report(error);
  } catch {
    // A reporter that throws has no one left to tell.
  }
}

function reportSettledError(error: unknown): void {
  console.error(`Backpressure hook's settled() threw: ${describeError(error)}`);
}
