/**
 * Worker recycling: the pool option `recycle`, and the policy that says
 * when a worker is due to be replaced.
 *
 * A worker process only grows: V8 never unloads a module it imported, so a
 * worker that imports many distinct task modules (or whose tasks leak)
 * grows for as long as it lives. With `recycle`, the pool replaces a worker
 * that has accepted `maxTasks` tasks, or whose resident set has grown past
 * `maxRssBytes`, without failing any call: the fleet spawns the replacement
 * first, then takes the old worker out of the roster (leave reason
 * `"recycled"`), lets its calls in flight finish (open generator streams
 * included), and stops it.
 *
 * {@linkcode RecyclePolicy} only decides; its answer is the limit reached:
 *
 * | the worker …                                         | answer                                                       |
 * | ---------------------------------------------------- | ------------------------------------------------------------ |
 * | accepted its `maxTasks`-th task (or a later one)     | `"maxTasks"`                                                 |
 * | reported an RSS over `maxRssBytes`, after ≥ 1 task   | `"maxRssBytes"`                                              |
 * | reported an RSS over `maxRssBytes` before any task   | `undefined`: a fresh worker is as big as its replacement     |
 * | anything else                                        | `undefined`                                                  |
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";
import type { WorkerId } from "../loadbalancer/load_balancer.ts";
import { integerOption } from "./_option_checks.ts";

/**
 * When the pool replaces a worker (`WorkerPoolOptions.recycle`). Either
 * limit alone, or both (whichever comes first).
 *
 * @example Replacing each worker after 1000 tasks or 512 MiB
 * ```ts
 * import { WorkerPool, type RecycleOptions } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const recycle: RecycleOptions = { maxTasks: 1000, maxRssBytes: 512 * 1024 * 1024 };
 * await using pool = await WorkerPool.start({ spawn: 1, recycle });
 * assert.equal(pool.workers.length, 1);
 * ```
 */
export interface RecycleOptions {
  /**
   * Tasks a worker accepts before it is replaced: an integer ≥ 1. Counted
   * at each Ack; the worker serves on until its replacement is ready, so
   * calls made meanwhile may still go to it.
   *
   * @default {undefined (no limit)}
   */
  readonly maxTasks?: number;
  /**
   * Resident set size, in bytes, past which a worker is replaced: an
   * integer ≥ 1. Read from each worker's answer to the pool's liveness
   * probe (every `workerUnresponsiveMs / 4`, or every 2.5 s when that
   * probe is off). A worker that has run no task yet is never replaced
   * for its size, so set it well above a fresh worker's (about 80 MiB on
   * Deno 2.9).
   *
   * @default {undefined (no limit)}
   */
  readonly maxRssBytes?: number;
}

/** The limits after validation; `Infinity` where none was given. */
export interface RecycleLimits {
  readonly maxTasks: number;
  readonly maxRssBytes: number;
}

/** No recycling: the default. */
export const NO_RECYCLING: RecycleLimits = Object.freeze({
  maxTasks: Infinity,
  maxRssBytes: Infinity,
});

/** Why a worker is due to be replaced: the limit it reached. */
export type RecycleLimit = keyof RecycleLimits;

const KNOWN: readonly (keyof RecycleOptions)[] = ["maxTasks", "maxRssBytes"];

/**
 * Validates the `recycle` pool option.
 *
 * @throws {TypeError} when it is not an object, has an unknown key, or a
 * limit is not a number; the message names the option.
 * @throws {RangeError} when a limit is not an integer ≥ 1.
 */
export function validateRecycleOptions(value: unknown): RecycleLimits {
  if (value === undefined) return NO_RECYCLING;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(
      `Cannot start worker pool: "recycle" must be an object, received ${
        describeValue(value)
      }`,
    );
  }
  for (const key of Object.keys(value)) {
    if (!(KNOWN as readonly string[]).includes(key)) {
      throw new TypeError(
        `Cannot start worker pool: unknown option "recycle.${key}" (known: ${
          KNOWN.join(", ")
        })`,
      );
    }
  }
  const options = value as RecycleOptions;
  return Object.freeze({
    maxTasks: integerOption("recycle.maxTasks", options.maxTasks, Infinity, 1),
    maxRssBytes: integerOption(
      "recycle.maxRssBytes",
      options.maxRssBytes,
      Infinity,
      1,
    ),
  });
}

/** Counts each worker's tasks and says when it is due to be replaced. */
export class RecyclePolicy {
  readonly #limits: RecycleLimits;
  readonly #tasks = new Map<WorkerId, number>();

  constructor(limits: RecycleLimits) {
    this.#limits = limits;
  }

  /** Whether workers' RSS matters: the pool must probe for it. */
  get watchesRss(): boolean {
    return this.#limits.maxRssBytes !== Infinity;
  }

  /** Worker `id` accepted a task: `"maxTasks"` once it reached the limit. */
  taskAccepted(id: WorkerId): RecycleLimit | undefined {
    const tasks = (this.#tasks.get(id) ?? 0) + 1;
    this.#tasks.set(id, tasks);
    return tasks >= this.#limits.maxTasks ? "maxTasks" : undefined;
  }

  /**
   * Worker `id` reported its RSS: `"maxRssBytes"` when it is over the limit
   * and the worker has run a task.
   */
  rssReported(id: WorkerId, rssBytes: number): RecycleLimit | undefined {
    if (!this.#tasks.has(id)) return undefined;
    return rssBytes > this.#limits.maxRssBytes ? "maxRssBytes" : undefined;
  }

  /** Worker `id` has left for good: its count goes. */
  forget(id: WorkerId): void {
    this.#tasks.delete(id);
  }
}
