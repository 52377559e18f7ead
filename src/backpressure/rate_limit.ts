/**
 * The `rateLimit` built-in hook factory: a token bucket per worker.
 *
 * The bucket is kept as a generic cell rate algorithm (GCRA): one number,
 * the time at which the bucket would be full again, instead of a token
 * count refilled on every call. It admits exactly what a token bucket of
 * `burst` tokens refilled at `perSecond` admits, without adding up
 * fractions of tokens on every call.
 *
 * @module
 */
import type { BackpressureHook, Verdict } from "./types.ts";
import {
  checkOptionsObject,
  checkPositiveFiniteNumber,
  checkPositiveInteger,
} from "./_options.ts";

/** Slack for floating-point rounding when comparing token counts. */
const ROUNDING_TOKENS = 1e-9;
/** Slack for floating-point rounding when rounding a wait up to whole ms. */
const ROUNDING_MS = 1e-6;

/** Options of {@linkcode rateLimit}. */
export interface RateLimitOptions {
  /**
   * Tasks per second each worker admits over time: the rate its bucket
   * refills, in tokens per second. A positive finite number (`0.5` is one
   * task every two seconds); there is no default.
   */
  readonly perSecond: number;
  /**
   * Tasks a worker admits at once after a quiet spell: the bucket's size,
   * in tokens. A positive integer.
   *
   * @default {Math.max(1, Math.floor(perSecond))}
   */
  readonly burst?: number;
}

/**
 * Makes a hook that limits how fast each worker takes tasks, as a token
 * bucket: the bucket holds `burst` tokens and refills at `perSecond` tokens
 * per second; each admitted task takes one token, and a task that finds the
 * bucket empty is rejected with a reason such as
 * `more than 5 tasks per second (burst 5); next token in 120 ms`.
 *
 * Each worker loads its own hook, so the limit is per worker: a pool of
 * `n` workers admits up to `n × perSecond` tasks per second.
 *
 * @param options The rate and burst, as `{ perSecond, burst? }`.
 * @returns The hook, with a full bucket.
 * @throws {TypeError} when `options` is not an object, has an unknown key,
 * or `perSecond` or `burst` is not a number.
 * @throws {RangeError} when `perSecond` is not a positive finite number, or
 * `burst` is not a positive integer.
 *
 * @example Admitting a burst, then rejecting
 * ```ts
 * import { rateLimit } from "@wool/core/backpressure";
 * import assert from "node:assert/strict";
 *
 * const hook = rateLimit({ perSecond: 1, burst: 2 });
 * const task = { id: "t1", module: "file:///tasks.ts", export: "add", args: [] };
 *
 * assert.equal(hook({ activeTaskCount: 0, task }), false);
 * assert.equal(hook({ activeTaskCount: 0, task }), false);
 * const verdict = hook({ activeTaskCount: 0, task });
 * assert.ok(typeof verdict === "object" && "reject" in verdict && verdict.reject);
 * ```
 */
export function rateLimit(options: RateLimitOptions): BackpressureHook {
  return rateLimitWithClock(options, readPerformanceNow);
}

/**
 * {@linkcode rateLimit} on a given clock. Exported for tests only; it is not
 * part of `@wool/core/backpressure`.
 *
 * @param options As for {@linkcode rateLimit}.
 * @param now Returns the current time in milliseconds, never decreasing.
 * @returns The hook, with a full bucket.
 * @throws {TypeError} {RangeError} as {@linkcode rateLimit} does.
 */
export function rateLimitWithClock(
  options: RateLimitOptions,
  now: () => number,
): BackpressureHook {
  const checked = checkOptionsObject(
    "rateLimit",
    options,
    ["perSecond", "burst"],
    "{ perSecond: 100, burst: 10 }",
  );
  const perSecond = checkPositiveFiniteNumber(
    "rateLimit",
    "perSecond",
    checked.perSecond,
  );
  if (!Number.isFinite(1000 / perSecond)) {
    throw new RangeError(
      `rateLimit: "perSecond" must be a positive finite number, received ${perSecond}`,
    );
  }
  const burst = checked.burst === undefined
    ? Math.max(1, Math.floor(perSecond))
    : checkPositiveInteger("rateLimit", "burst", checked.burst);
  // Time is counted in tokens (one unit per token's refill time), so each
  // admitted task moves `fullAt` by exactly 1. A full bucket may run
  // `burst - 1` tokens ahead of now: the current task takes the last one.
  const tolerance = burst - 1;
  let fullAt = -Infinity;
  return function rateLimitHook(): Verdict {
    const nowMs = now();
    const nowTokens = nowMs * perSecond / 1000;
    const base = Math.max(fullAt, nowTokens);
    if (base - nowTokens <= tolerance + ROUNDING_TOKENS) {
      fullAt = base + 1;
      return false;
    }
    const nextMs = (base - tolerance) * 1000 / perSecond;
    const waitMs = Math.max(1, Math.ceil(nextMs - nowMs - ROUNDING_MS));
    return {
      reject: true,
      reason: `more than ${perSecond} ${
        perSecond === 1 ? "task" : "tasks"
      } per second (burst ${burst}); next token in ${waitMs} ms`,
    };
  };
}

function readPerformanceNow(): number {
  return performance.now();
}
