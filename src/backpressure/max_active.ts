/**
 * The `maxActive` built-in hook factory.
 *
 * @module
 */
import type {
  BackpressureContext,
  BackpressureHook,
  Verdict,
} from "./types.ts";
import { checkOptionsObject, checkPositiveInteger } from "./_options.ts";

/** Options of {@linkcode maxActive}. */
export interface MaxActiveOptions {
  /**
   * The most tasks a worker runs at once: the hook rejects an incoming task
   * when `limit` tasks are already in the worker's docket. A positive
   * integer; there is no default.
   */
  readonly limit: number;
}

/**
 * Makes a hook that caps the tasks each worker runs at once: it rejects an
 * incoming task when the worker's docket already holds `limit` tasks
 * (`ctx.activeTaskCount >= limit`), with a reason such as
 * `4 active tasks, limit 4`.
 *
 * Deciding and entering the docket are one step in the worker, so however
 * many dispatches arrive together, no worker ever holds more than `limit`
 * tasks.
 *
 * @param options The cap, as `{ limit }`.
 * @returns The hook.
 * @throws {TypeError} when `options` is not an object, has an unknown key,
 * or `limit` is not a number.
 * @throws {RangeError} when `limit` is not a positive integer.
 *
 * @example Capping each worker at two tasks
 * ```ts
 * import { maxActive } from "@wool/core/backpressure";
 * import assert from "node:assert/strict";
 *
 * const hook = maxActive({ limit: 2 });
 * const task = { id: "t1", module: "file:///tasks.ts", export: "add", args: [1, 2] };
 *
 * assert.equal(hook({ activeTaskCount: 1, task }), false);
 * assert.deepEqual(hook({ activeTaskCount: 2, task }), {
 *   reject: true,
 *   reason: "2 active tasks, limit 2",
 * });
 * ```
 *
 * @example Naming it as a pool's hook
 * ```ts
 * import type { BackpressureSpec } from "@wool/core/backpressure";
 *
 * const backpressure: BackpressureSpec = {
 *   module: "@wool/core/backpressure",
 *   export: "maxActive",
 *   options: { limit: 8 },
 * };
 * void backpressure;
 * ```
 */
export function maxActive(options: MaxActiveOptions): BackpressureHook {
  const checked = checkOptionsObject(
    "maxActive",
    options,
    ["limit"],
    "{ limit: 8 }",
  );
  const limit = checkPositiveInteger("maxActive", "limit", checked.limit);
  return function maxActiveHook(ctx: BackpressureContext): Verdict {
    const active = ctx.activeTaskCount;
    if (active < limit) return false;
    return {
      reject: true,
      reason: `${active} active ${
        active === 1 ? "task" : "tasks"
      }, limit ${limit}`,
    };
  };
}
