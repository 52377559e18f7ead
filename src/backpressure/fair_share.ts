/**
 * The `fairShare` built-in hook factory: per-key concurrency shares inside
 * one worker, so one key (a tenant) that floods the worker cannot crowd out
 * the others.
 *
 * @module
 */
import type { BackpressureContext, Task, Verdict } from "./types.ts";
import type { BackpressureHookObject, SettledTask } from "./hook_object.ts";
import type { AdaptiveConcurrencyOptions } from "./adaptive_concurrency.ts";
import { AdaptiveLimit } from "./_adaptive_limit.ts";
import { FairLedger } from "./_fair_ledger.ts";
import { resolveFairShareOptions } from "./_fair_share_options.ts";
import { type HookClock, SYSTEM_CLOCK } from "./_load_signals.ts";
import { taskKeyReader } from "./task_key.ts";

/**
 * Options of {@linkcode fairShare}.
 *
 * @example Shares by tenant, one tenant weighing double
 * ```ts
 * import type { FairShareOptions } from "@wool/core/backpressure";
 *
 * const options: FairShareOptions = {
 *   key: "tenant",
 *   limit: 8,
 *   weights: { acme: 2 },
 * };
 * void options;
 * ```
 */
export interface FairShareOptions {
  /**
   * What tells tasks apart: the name of a context variable (the hook reads
   * its value in `ctx.task.context`), or `"tag"` for the task's tag (so a
   * context variable named "tag" cannot be a key). A number, boolean or
   * bigint value counts as its `String()`; tasks with no value, or another
   * kind of value, share the key `""`.
   */
  readonly key: string;
  /**
   * The most tasks the worker runs at once, shared among keys: a positive
   * integer, or `"adaptive"` to learn it as {@linkcode adaptiveConcurrency}
   * does (tuned by `adaptive`).
   */
  readonly limit: number | "adaptive";
  /**
   * Each key's weight: a key of weight 2 has twice the share of a key of
   * weight 1. Positive finite numbers; keys not listed weigh 1.
   *
   * @default {{}}
   */
  readonly weights?: Readonly<Record<string, number>>;
  /**
   * Milliseconds a key counts as having work waiting after its last
   * arrival (between one and two `idleMs`): while it does, the part of its
   * share it wanted lately is kept for it.
   *
   * @default {1000}
   */
  readonly idleMs?: number;
  /**
   * With `limit: "adaptive"`: the options of the learned limit.
   *
   * @default {{}}
   */
  readonly adaptive?: AdaptiveConcurrencyOptions;
}

/**
 * The hook {@linkcode fairShare} makes.
 *
 * @example Reading its limit
 * ```ts
 * import { fairShare, type FairShareHook } from "@wool/core/backpressure";
 * import assert from "node:assert/strict";
 *
 * const hook: FairShareHook = fairShare({ key: "tenant", limit: 8 });
 * assert.equal(hook.limit, 8);
 * ```
 */
export interface FairShareHook extends BackpressureHookObject {
  /** The most tasks it admits at once now, over all keys. */
  readonly limit: number;
  /** Admits a task if its key is within its share, or a slot is spare. */
  admit(ctx: BackpressureContext): Verdict;
  /** Frees the task's slot of its key. */
  settled(task: SettledTask): void;
}

/**
 * Makes a hook that shares a worker's concurrency among keys (tenants,
 * named by a context variable or the task's tag), weighted:
 *
 * - a key holding less than its share of `limit` is admitted while the
 *   worker has a free slot;
 * - a key at or over its share may still borrow a free slot, unless the
 *   other keys with work waiting may claim it: each keeps, up to its share,
 *   as many slots as it wanted at once over the last `idleMs` or so;
 * - so a key that floods the worker gets what others leave idle, and no
 *   more than its share while they have work; a lone key may use every
 *   slot.
 *
 * Shares are among the keys that have work: those holding tasks or that
 * arrived in the last one to two `idleMs`. Running tasks are never
 * preempted: when a key comes back while another holds its slots, it gets
 * each slot as it frees.
 *
 * It needs the worker to report how tasks end (`settled`; see
 * `hook_object.ts`) and must answer synchronously, which it does.
 *
 * @param options The key, the limit, and the weights.
 * @returns The hook object.
 * @throws {TypeError} when `options` is not an object, has an unknown key,
 * or an option has the wrong type.
 * @throws {RangeError} when `limit`, a weight or `idleMs` is out of range.
 *
 * @example Keeping one tenant from taking every slot
 * ```ts
 * import { fairShare } from "@wool/core/backpressure";
 * import assert from "node:assert/strict";
 *
 * const hook = fairShare({ key: "tenant", limit: 2 });
 * function task(tenant: string) {
 *   const context = Object.freeze({ tenant });
 *   return { id: tenant, module: "file:///tasks.ts", export: "work", args: [], context };
 * }
 *
 * const b = task("b");
 * assert.equal(hook.admit({ activeTaskCount: 0, task: b }), false);
 * assert.equal(hook.admit({ activeTaskCount: 1, task: task("a") }), false);
 * hook.settled({ task: b, queuedMs: 0, runMs: 1, outcome: "ok", generator: false });
 * // "a" holds its share (1 of 2); "b" had work just now, so its slot is kept:
 * const verdict = hook.admit({ activeTaskCount: 1, task: task("a") });
 * assert.ok(typeof verdict === "object" && verdict.reject);
 * ```
 *
 * @example Naming it as a pool's hook
 * ```ts
 * import type { BackpressureSpec } from "@wool/core/backpressure";
 *
 * const backpressure: BackpressureSpec = {
 *   module: "@wool/core/backpressure",
 *   export: "fairShare",
 *   options: { key: "tenant", limit: "adaptive", weights: { acme: 2 } },
 * };
 * void backpressure;
 * ```
 */
export function fairShare(options: FairShareOptions): FairShareHook {
  return fairShareWithClock(options, SYSTEM_CLOCK);
}

/**
 * {@linkcode fairShare} on given clocks. Exported for tests only; it is not
 * part of `@wool/core/backpressure`.
 *
 * @param options As for {@linkcode fairShare}.
 * @param clock Wall time and process CPU time, in milliseconds.
 * @returns The hook object.
 * @throws {TypeError} {RangeError} as {@linkcode fairShare} does.
 */
export function fairShareWithClock(
  options: FairShareOptions,
  clock: HookClock,
): FairShareHook {
  const resolved = resolveFairShareOptions(options);
  const ledger = new FairLedger(resolved.weights, resolved.idleMs);
  const adaptive = resolved.limit === "adaptive"
    ? new AdaptiveLimit(resolved.adaptive, clock)
    : null;
  const fixedLimit = resolved.limit === "adaptive" ? 0 : resolved.limit;
  const keys = new WeakMap<Task, string>();
  const keyOf = taskKeyReader(resolved.key);

  return Object.freeze({
    get limit(): number {
      return adaptive?.limit ?? fixedLimit;
    },
    admit(ctx: BackpressureContext): Verdict {
      const capacity = adaptive?.limit ?? fixedLimit;
      const key = keyOf(ctx.task);
      const active = ctx.activeTaskCount;
      ledger.arrive(key, clock.now());
      if (active >= capacity) {
        adaptive?.turnedAway();
        return {
          reject: true,
          reason: `${active} active ${
            active === 1 ? "task" : "tasks"
          }, limit ${capacity}`,
        };
      }
      const held = ledger.held(key);
      const { share, claimedByOthers } = ledger.standing(key, capacity);
      if (held < share || capacity - active - claimedByOthers >= 1) {
        ledger.admitted(key);
        keys.set(ctx.task, key);
        adaptive?.admitted(ctx.task, active);
        return false;
      }
      return {
        reject: true,
        reason: `${resolved.key} ${
          JSON.stringify(key)
        } holds ${held} of ${capacity} slots, its share is ${
          formatShare(share)
        }, and the ${
          capacity - active
        } free are kept for other keys with work waiting`,
      };
    },
    settled(done: SettledTask): void {
      const key = keys.get(done.task);
      if (key === undefined) return;
      keys.delete(done.task);
      ledger.settled(key);
      adaptive?.settled(done);
    },
  });
}

/** The key of `task`: the value of context variable `name`, as a string. */
function formatShare(share: number): string {
  return Number.isInteger(share) ? String(share) : share.toFixed(1);
}
