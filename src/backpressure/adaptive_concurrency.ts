/**
 * The `adaptiveConcurrency` built-in hook factory: a cap on the tasks a
 * worker runs at once that it learns from how long admitted tasks take,
 * with no number to set by hand.
 *
 * @module
 */
import type { BackpressureContext, Verdict } from "./types.ts";
import type { BackpressureHookObject, SettledTask } from "./hook_object.ts";
import { AdaptiveLimit, type AdaptiveSettings } from "./_adaptive_limit.ts";
import {
  ADAPTIVE_OPTION_NAMES,
  checkFactoryOptions,
  resolveAdaptiveSettings,
} from "./_adaptive_options.ts";
import { type HookClock, SYSTEM_CLOCK } from "./_load_signals.ts";
import { Handoff } from "./_handoff.ts";
import { describeValue } from "../_util/describe.ts";

/**
 * Options of {@linkcode adaptiveConcurrency}; every one is optional.
 *
 * @example AIMD with a floor of two
 * ```ts
 * import type { AdaptiveConcurrencyOptions } from "@wool/core/backpressure";
 *
 * const options: AdaptiveConcurrencyOptions = { algorithm: "aimd", minLimit: 2 };
 * void options;
 * ```
 */
export interface AdaptiveConcurrencyOptions {
  /**
   * How the limit learns: `"gradient2"` (after Netflix's Gradient2: follows
   * the ratio of long- to short-term latency, smoothly) or `"aimd"` (grows
   * one slot per round, shrinks by `backoff` when latency passes
   * `tolerance` × its recent minimum).
   *
   * @default {"gradient2"}
   */
  readonly algorithm?: "gradient2" | "aimd";
  /**
   * The floor: the limit never goes below it. A positive integer.
   *
   * @default {1}
   */
  readonly minLimit?: number;
  /**
   * The ceiling: the limit never goes above it. An integer ≥ `minLimit`.
   *
   * @default {1000}
   */
  readonly maxLimit?: number;
  /**
   * The limit before anything was measured, within `minLimit..maxLimit`.
   *
   * @default {minLimit}
   */
  readonly initialLimit?: number;
  /**
   * How many times its usual latency a task may take before that counts as
   * queueing, a number > 1. Lower keeps latency tighter and grows less.
   *
   * @default {1.5}
   */
  readonly tolerance?: number;
  /**
   * Milliseconds per measuring window: how busy the thread was and whether
   * the limit turned tasks away are judged per window, the short latency
   * average spans one window and the long one (or AIMD's baseline) ten.
   *
   * @default {100}
   */
  readonly windowMs?: number;
  /**
   * The busy fraction of the worker's thread while every slot of the limit
   * is taken, in (0, 1], from which more concurrency cannot add
   * throughput, so the limit does not grow (idle time with a slot free
   * does not count: a second slot would not have used it). Busy means
   * running or, on Linux with every permission (a pool's default
   * `"inherit"` under `deno run -A`), ready to run and waiting for a core
   * (`/proc/thread-self/schedstat`); elsewhere the process's CPU time.
   *
   * @default {0.9}
   */
  readonly saturation?: number;
  /**
   * Gradient2 only: the weight of each new estimate in the limit, in
   * (0, 1]. Lower reacts more slowly to one slow task.
   *
   * @default {0.2}
   */
  readonly smoothing?: number;
  /**
   * AIMD only: what a decrease multiplies the limit by, in [0.5, 1).
   * Netflix's AIMD uses 0.9; 0.8 keeps the sawtooth's peaks, and so p99,
   * lower in the simulations of `bench/adaptive_sim.ts`.
   *
   * @default {0.8}
   */
  readonly backoff?: number;
  /**
   * Whether a task that arrives with every slot taken may be held back —
   * no answer yet — for a slot about to free, instead of being rejected:
   * when the task that has run longest is expected, from the usual run
   * time of those that ended, to end within a tenth of that time (25 ms
   * at most). The held task is admitted as a slot frees, or rejected after
   * twice that window; one at a time. Without it a worker at its limit
   * idles from each task's end until the next arrival (half the gap
   * between arrivals, on average). Meanwhile later tasks wait for their
   * answer too: the worker decides one task at a time (newest first once
   * it has rejected one).
   *
   * @default {true}
   */
  readonly handoff?: boolean;
}

/**
 * The hook {@linkcode adaptiveConcurrency} makes: a
 * {@linkcode BackpressureHookObject} that also shows the limit it learned.
 *
 * @example Reading the learned limit
 * ```ts
 * import {
 *   adaptiveConcurrency,
 *   type AdaptiveConcurrencyHook,
 * } from "@wool/core/backpressure";
 * import assert from "node:assert/strict";
 *
 * const hook: AdaptiveConcurrencyHook = adaptiveConcurrency({ initialLimit: 4 });
 * assert.equal(hook.limit, 4);
 * ```
 */
export interface AdaptiveConcurrencyHook extends BackpressureHookObject {
  /** The most tasks it admits at once now: a whole number ≥ `minLimit`. */
  readonly limit: number;
  /**
   * Admits a task while fewer than `limit` are active; with `handoff`, may
   * hold one back for a slot about to free.
   */
  admit(ctx: BackpressureContext): Verdict | Promise<Verdict>;
  /** Learns from a task that ended. */
  settled(task: SettledTask): void;
}

/**
 * Makes a hook that caps the tasks each worker runs at once, and learns the
 * cap from how long admitted tasks take: it rejects an incoming task when
 * `limit` tasks are already in the worker's docket, with a reason such as
 * `2 active tasks, adaptive limit 2 (gradient2: short 12.0 ms, long 6.1 ms,
 * thread 98 % busy)`.
 *
 * The limit grows while latency stays flat and the limit is what turns
 * tasks away, falls when latency climbs, and never leaves
 * `minLimit..maxLimit`. It grows only while the worker's thread has time to
 * spare with every slot taken: a thread busy all the time cannot finish
 * more tasks by starting more at once, only make each wait longer, so a
 * CPU-bound worker settles at the concurrency its thread can serve, while
 * one whose tasks await I/O grows until the resource they wait on is
 * full.
 *
 * It needs the worker to report how tasks end (`settled`); see
 * `hook_object.ts`. Name it with `options` (`{}` for every default), so the
 * worker calls the factory.
 *
 * @param options How it learns; every option is optional.
 * @returns The hook object.
 * @throws {TypeError} when `options` is not an object, has an unknown key,
 * an option has the wrong type, or an option of one algorithm is given for
 * the other.
 * @throws {RangeError} when an option is out of range.
 *
 * @example Naming it as a pool's hook, with every default
 * ```ts
 * import type { BackpressureSpec } from "@wool/core/backpressure";
 *
 * const backpressure: BackpressureSpec = {
 *   module: "@wool/core/backpressure",
 *   export: "adaptiveConcurrency",
 *   options: {},
 * };
 * void backpressure;
 * ```
 *
 * @example Starting at the floor and rejecting above the limit
 * ```ts
 * import { adaptiveConcurrency } from "@wool/core/backpressure";
 * import assert from "node:assert/strict";
 *
 * const hook = adaptiveConcurrency({ algorithm: "aimd" });
 * const task = { id: "t1", module: "file:///tasks.ts", export: "add", args: [] };
 *
 * assert.equal(hook.limit, 1);
 * assert.equal(hook.admit({ activeTaskCount: 0, task }), false);
 * // No task has ended yet, so none is held for a slot: rejected at once.
 * const verdict = hook.admit({ activeTaskCount: 1, task });
 * assert.ok(!(verdict instanceof Promise) && typeof verdict === "object");
 * assert.equal(verdict.reject, true);
 * hook.settled({ task, queuedMs: 0, runMs: 5, outcome: "ok", generator: false });
 * assert.ok(hook.limit >= 1);
 * ```
 */
export function adaptiveConcurrency(
  options: AdaptiveConcurrencyOptions = {},
): AdaptiveConcurrencyHook {
  return adaptiveConcurrencyWithClock(options, SYSTEM_CLOCK);
}

/**
 * {@linkcode adaptiveConcurrency} on given clocks. Exported for tests only;
 * it is not part of `@wool/core/backpressure`.
 *
 * @param options As for {@linkcode adaptiveConcurrency}.
 * @param clock Wall time and process CPU time, in milliseconds.
 * @returns The hook object.
 * @throws {TypeError} {RangeError} as {@linkcode adaptiveConcurrency} does.
 */
export function adaptiveConcurrencyWithClock(
  options: AdaptiveConcurrencyOptions,
  clock: HookClock,
): AdaptiveConcurrencyHook {
  const settings = resolveAdaptiveConcurrencyOptions(options);
  const limit = new AdaptiveLimit(settings, clock);
  const handoff = settings.handoff ? new Handoff(clock) : undefined;
  return Object.freeze({
    get limit(): number {
      return limit.limit;
    },
    admit(ctx: BackpressureContext): Verdict | Promise<Verdict> {
      const cap = limit.limit;
      const active = ctx.activeTaskCount;
      if (active < cap) {
        limit.admitted(ctx.task, active);
        handoff?.started(ctx.task);
        return false;
      }
      limit.turnedAway();
      const rejection = {
        reject: true,
        reason: `${active} active ${
          active === 1 ? "task" : "tasks"
        }, adaptive limit ${cap} (${limit.describe()})`,
      };
      const held = handoff?.hold();
      if (held === undefined) return rejection;
      return held.then((admitted) => {
        if (!admitted) return rejection;
        limit.admitted(ctx.task, active - 1);
        handoff?.started(ctx.task);
        return false;
      });
    },
    settled(done: SettledTask): void {
      limit.settled(done);
      handoff?.settled(
        done.task,
        done.runMs,
        done.outcome !== "cancelled" && !done.generator,
      );
    },
  });
}

/**
 * Checks {@linkcode AdaptiveConcurrencyOptions} and fills in the defaults.
 *
 * @throws {TypeError} {RangeError} as {@linkcode adaptiveConcurrency} does.
 */
export function resolveAdaptiveConcurrencyOptions(
  options: unknown,
): AdaptiveSettings {
  const checked = checkFactoryOptions(
    "adaptiveConcurrency",
    options,
    [...ADAPTIVE_OPTION_NAMES, "handoff"],
    '{ algorithm: "gradient2" }',
  );
  const { handoff, ...limitOptions } = checked;
  if (handoff !== undefined && typeof handoff !== "boolean") {
    throw new TypeError(
      `adaptiveConcurrency: "handoff" must be a boolean, received ${
        describeValue(handoff)
      }`,
    );
  }
  return Object.freeze({
    ...resolveAdaptiveSettings("adaptiveConcurrency", limitOptions),
    handoff: handoff ?? true,
  });
}
