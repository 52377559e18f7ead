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
 * @param hook The worker's own hook, or `null`.
 * @returns The hook to admit tasks with.
 */
export function withCapacity(
  capacity: number,
  hook: BackpressureHook | null,
): BackpressureHook {
  const full: Verdict = Object.freeze({
    reject: true,
    reason: `the worker runs ${capacity} tasks at once, its --capacity`,
  });
  return (ctx: BackpressureContext) => {
    if (ctx.activeTaskCount >= capacity) return full;
    return hook === null ? false : hook(ctx);
  };
}
