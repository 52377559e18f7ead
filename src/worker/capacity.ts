/**
 * `--capacity N`: a standalone worker runs at most N tasks at once. It is
 * enforced as the first step of admission: with N tasks in the docket, a
 * task is rejected (backpressure, so the pool tries the next worker)
 * before the worker's own hook is asked; below N, the hook decides. The
 * admission gate decides one task at a time against the docket, so N is
 * never exceeded, whatever the hook does. The worker also tells pools its
 * capacity (the `Info` RPC, its NATS announcement).
 *
 * @module
 */
import {
  type NormalizedHook,
  normalizeHook,
} from "../backpressure/hook_object.ts";
import type {
  BackpressureContext,
  BackpressureHook,
  Verdict,
} from "../backpressure/types.ts";

/**
 * The hook of a worker with `capacity`: rejects at `capacity` tasks in the
 * docket, and otherwise answers as `hook` does (accepts without one).
 *
 * @param capacity Tasks at once, at most (≥ 1).
 * @param given The worker's own hook (a function or normalized), or `null`.
 * @returns The hook to admit tasks with: its `settled` is the worker's
 * hook's, which hears only of tasks its own `admit` accepted.
 */
export function withCapacity(
  capacity: number,
  given: NormalizedHook | BackpressureHook | null,
): NormalizedHook {
  const hook = typeof given === "function" ? normalizeHook(given) : given;
  const full: Verdict = Object.freeze({
    reject: true,
    reason: `the worker runs ${capacity} tasks at once, its --capacity`,
  });
  return Object.freeze({
    admit(ctx: BackpressureContext) {
      if (ctx.activeTaskCount >= capacity) return full;
      return hook === null ? false : hook.admit(ctx);
    },
    settled: hook?.settled ?? null,
  });
}
