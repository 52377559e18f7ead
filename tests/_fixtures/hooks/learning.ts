/**
 * Hook objects (`{ admit, settled }`) for the tests of hooks that learn.
 *
 * - the default export and `learningFactory`: the shapes the loader takes;
 * - `badSettled`: an object whose `settled` is not a function;
 * - `recording({ path, fail? })`: rejects tasks tagged `"reject"`, accepts
 *   the rest, and appends one JSON line per `settled` call to the file at
 *   `path`, synchronously, so the file is complete once the worker has
 *   exited; with `fail: "throw"` its `settled` then throws, with
 *   `fail: "hang"` it returns a promise that never settles;
 * - `adaptiveRecording({ path, ...options })`: `adaptiveConcurrency` with
 *   those options, appending its limit after each `settled`.
 *
 * @module
 */
import type {
  BackpressureContext,
  BackpressureHookObject,
  SettledTask,
  Task,
} from "../../../src/backpressure/mod.ts";
import {
  adaptiveConcurrency,
  type AdaptiveConcurrencyOptions,
} from "../../../src/backpressure/mod.ts";

const hook: BackpressureHookObject = {
  admit: () => false,
  settled() {},
};
export default hook;

/** Rejects at `limit` active tasks, naming it. */
export function learningFactory(
  { limit }: { limit: number },
): BackpressureHookObject {
  return {
    admit: (ctx: BackpressureContext) =>
      ctx.activeTaskCount >= limit
        ? { reject: true, reason: `limit ${limit}` }
        : false,
    settled() {},
  };
}

/** A hook object whose `settled` is not a function. */
export const badSettled = { admit: () => false, settled: 3 };

/** One line of the `recording` hook's file. */
export interface SettledLine {
  readonly id: string;
  readonly export: string;
  readonly outcome: string;
  readonly generator: boolean;
  readonly queuedMs: number;
  readonly runMs: number;
  /** `ctx.task.context.tenant`, as `settled` saw it. */
  readonly tenant: string | null;
  /** The task `settled` got is the object `admit` saw. */
  readonly sameTask: boolean;
}

/** See the module doc. */
export function recording(
  { path, fail }: { path: string; fail?: "throw" | "hang" },
): BackpressureHookObject {
  const admitted = new WeakSet<Task>();
  return {
    admit(ctx: BackpressureContext) {
      if (ctx.task.tag === "reject") return { reject: true, reason: "tagged" };
      admitted.add(ctx.task);
      return false;
    },
    settled(done: SettledTask): Promise<void> | undefined {
      const line: SettledLine = {
        id: done.task.id,
        export: done.task.export,
        outcome: done.outcome,
        generator: done.generator,
        queuedMs: done.queuedMs,
        runMs: done.runMs,
        tenant: (done.task.context?.tenant as string | undefined) ?? null,
        sameTask: admitted.has(done.task),
      };
      Deno.writeTextFileSync(path, `${JSON.stringify(line)}\n`, {
        append: true,
      });
      if (fail === "throw") throw new Error("settled() broke on purpose");
      if (fail === "hang") return new Promise<void>(() => {});
      return undefined;
    },
  };
}

/** See the module doc. */
export function adaptiveRecording(
  { path, ...options }: { path: string } & AdaptiveConcurrencyOptions,
): BackpressureHookObject {
  const inner = adaptiveConcurrency(options);
  return {
    admit: (ctx: BackpressureContext) => inner.admit(ctx),
    settled(done: SettledTask) {
      inner.settled(done);
      Deno.writeTextFileSync(path, `${inner.limit}\n`, { append: true });
    },
  };
}
