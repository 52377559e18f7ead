/**
 * The load balancer contract: selection only. A balancer orders candidate
 * workers for a task; the dispatcher opens streams, classifies failures,
 * evicts workers and builds `NoWorkersAvailable`.
 *
 * @module
 */
import type { Task } from "../backpressure/types.ts";

/** A worker's id in its pool (branded, so an address cannot pass for it). */
export type WorkerId = string & { readonly __brand: "WorkerId" };

/**
 * A live worker, as `pool.workers` lists it.
 *
 * @example Listing a pool's workers
 * ```ts
 * import { WorkerPool } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * await using pool = await WorkerPool.start({ spawn: 1 });
 * const [worker] = pool.workers;
 * // A Unix socket in the pool's private directory (TCP on 127.0.0.1
 * // where Unix sockets are not available).
 * assert.match(worker.address, /^unix:\/.+\.sock$|^127\.0\.0\.1:\d+$/);
 * assert.equal(typeof worker.pid, "number");
 * ```
 */
export interface WorkerInfo {
  /** The worker's id in its pool. */
  readonly id: WorkerId;
  /**
   * Where its gRPC server listens: `unix:<absolute path>` for a spawned
   * worker on a Unix socket, else `host:port` (a discovered worker: the
   * address its discovery gave).
   */
  readonly address: string;
  /**
   * Its process id; a discovered worker's on its own host, as its `Info`
   * reported it.
   */
  readonly pid: number;
  /** A discovered worker's tags (its `--tag`s, as it reported them). */
  readonly tags?: readonly string[];
}

/** A read-only view of the pool's live workers. */
export interface RosterView {
  /** Ids of the live workers, in the order they joined. */
  readonly ids: readonly WorkerId[];
  /** How many workers are live. */
  readonly size: number;
  /** The live worker with this id, or `undefined` once it left. */
  get(id: WorkerId): WorkerInfo | undefined;
  /**
   * This pool's tasks on the worker now: dispatched and not yet settled
   * (a generator's until its stream ends), plus calls waiting for a
   * permit on its connection; 0 for an id that is not live. Other pools
   * sharing a durable worker are not counted.
   */
  inFlight(id: WorkerId): number;
}

/** What happened when the dispatcher tried a candidate that did not accept. */
export interface AttemptOutcome {
  /** The worker that was tried. */
  readonly workerId: WorkerId;
  /** The gRPC status name, e.g. `"RESOURCE_EXHAUSTED"`. */
  readonly code: string;
  /** True when the dispatcher evicted the worker for it. */
  readonly evicted: boolean;
}

/**
 * Orders candidate workers for a task. `candidates` is synchronous, like
 * grpc-js `pick()`: taking the next slot and advancing with no `await` in
 * between keeps concurrent dispatches from all starting at one worker.
 *
 * The dispatcher calls `next()` for the first id, `next(outcome)` after
 * each failed attempt, and `return()` when a worker accepted (so `finally`
 * blocks can release reservations). An id no longer live is skipped. When
 * the iterator ends, the dispatcher raises `NoWorkersAvailable`.
 *
 * @example A balancer that always prefers the first worker
 * ```ts
 * import type { LoadBalancer, RosterView, WorkerId } from "@wool/core";
 *
 * class FirstFirst implements LoadBalancer {
 *   *candidates(_task: unknown, view: RosterView): Generator<WorkerId, void, unknown> {
 *     yield* view.ids;
 *   }
 * }
 * void new FirstFirst();
 * ```
 */
export interface LoadBalancer {
  /** The workers to try for `task`, best first. */
  candidates(
    task: Task,
    view: RosterView,
  ): Iterator<WorkerId, void, AttemptOutcome | undefined>;
}
