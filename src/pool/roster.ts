/**
 * The pool's live membership: the single place where workers join and
 * leave, whether spawned, respawned, crashed or evicted, or found by a
 * discovery; and where what happens to them is reported to the pool's
 * subscribers.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";
import type { TaskConnection } from "../connection/worker_connection.ts";
import type { DiscoveryError } from "../discovery/errors.ts";
import type { WorkerExit } from "../process/worker_exit.ts";
import type {
  RosterView,
  WorkerId,
  WorkerInfo,
} from "../loadbalancer/load_balancer.ts";
import type {
  UnavailableReason,
  WorkerUnavailable,
} from "./membership_errors.ts";

/** How a worker's process ended, and why, when that is known. */
export interface WorkerEnd extends WorkerExit {
  /**
   * Why it ended, when known: the pool ended it (it hung), or it ran out
   * of memory.
   */
  readonly reason?: string;
}

/**
 * How a spawned worker's process ended, for its `left` event: e.g.
 * `Worker w1 (pid 4242) was killed by SIGTRAP: it ran out of memory (…)`.
 *
 * @param worker The worker.
 * @param end How its process ended, and why.
 * @returns One sentence, without a final period.
 */
export function describeWorkerEnd(worker: WorkerInfo, end: WorkerEnd): string {
  const how = end.signal === null
    ? `exited with code ${end.code}`
    : `was killed by ${end.signal}`;
  const said = `Worker ${worker.id} (pid ${worker.pid}) ${how}`;
  return end.reason === undefined ? said : `${said}: ${end.reason}`;
}

/** A live worker: what the pool knows of it and how to reach it. */
export interface WorkerEntry {
  readonly info: WorkerInfo;
  readonly connection: TaskConnection;
  /**
   * Resolves as soon as the worker's process has exited, with how it
   * ended; `undefined` for a discovered worker, whose process the pool
   * cannot watch.
   */
  readonly exited: Promise<WorkerEnd> | undefined;
}

/**
 * Why a worker left:
 * - `"crashed"`: its process ended on its own, or was killed as hung;
 * - `"evicted"`: it failed a dispatch in a way that is not transient;
 * - `"unauthenticated"`: it refused the pool's credentials
 *   (`UNAUTHENTICATED`): it does not serve this pool, a misconfiguration;
 * - `"closed"`: the pool is closing;
 * - `"recycled"`: it reached a `recycle` limit and its replacement has
 *   joined; it takes no new task, and stops once its calls in flight end.
 *
 * And, for discovered workers only (the pool dials them again with
 * backoff, except when withdrawn):
 * - `"withdrawn"`: its discovery no longer lists it; it takes no new task,
 *   and its connection closes once its calls in flight end;
 * - `"unreachable"`: its connection broke, or it did not answer a liveness
 *   probe in time; its calls in flight fail with `WorkerCrashed`;
 * - `"draining"`: it said it is stopping (SIGTERM); it takes no new task,
 *   and its connection closes once its calls in flight end.
 */
export type LeaveReason =
  | "crashed"
  | "evicted"
  | "unauthenticated"
  | "closed"
  | "recycled"
  | "withdrawn"
  | "unreachable"
  | "draining";

/** A membership change, as the roster's listeners receive it. */
export type RosterChange =
  | { readonly type: "joined"; readonly worker: WorkerInfo }
  | {
    readonly type: "left";
    readonly worker: WorkerInfo;
    readonly reason: LeaveReason;
    /**
     * How a spawned worker that left `"crashed"` ended, from
     * {@linkcode describeWorkerEnd}: e.g. `Worker w1 (pid 4242) was killed
     * by SIGTRAP: it ran out of memory (…)`. Absent for other leaves.
     */
    readonly message?: string;
  };

/**
 * What `pool.subscribe(listener, { reports: true })` reports: workers
 * joining and leaving ({@linkcode RosterChange}, all that
 * `pool.subscribe(listener)` reports), and, for pools with a `discovery`:
 * - `"unavailable"`: a discovered worker the pool could not admit (it
 *   could not reach it, the worker refused its credentials, speaks another
 *   protocol version, is draining, or lacks the pool's `tags`); the pool
 *   tries again after `retryMs`, except for `"untagged"` (`retryMs`
 *   `undefined`: until its discovery reports it changed);
 * - `"discovery-error"`: the discovery failed (a DNS server that does not
 *   answer, a NATS connection lost, a subscription that threw); the workers
 *   already known stay, and the discovery keeps trying.
 *
 * @example Logging what happens to a pool's workers
 * ```ts
 * import { type PoolEvent, WorkerPool } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * await using pool = await WorkerPool.start({ spawn: 1 });
 * const seen: PoolEvent[] = [];
 * const stop = pool.subscribe((event) => seen.push(event), { reports: true });
 * await pool.close();
 * stop();
 * assert.deepEqual(seen.map((event) => event.type), ["left"]);
 * ```
 */
export type PoolEvent =
  | RosterChange
  | {
    readonly type: "unavailable";
    /** The worker's address, as its discovery gave it. */
    readonly address: string;
    readonly reason: UnavailableReason;
    /** Milliseconds until the pool tries again; `undefined`: not by itself. */
    readonly retryMs: number | undefined;
    readonly error: WorkerUnavailable;
  }
  | { readonly type: "discovery-error"; readonly error: DiscoveryError };

/** Options of `pool.subscribe()`. */
export interface SubscribeOptions {
  /**
   * Report more than joins and leaves: every {@linkcode PoolEvent}.
   * @default {false}
   */
  reports?: boolean;
}

/**
 * Whether `options` of `subscribe()` ask for reports.
 *
 * @throws {TypeError} when `options` is not an object or `reports` not a
 * boolean.
 */
export function validateSubscribeOptions(options: unknown): boolean {
  if (options === undefined) return false;
  const reports = options !== null && typeof options === "object"
    ? (options as SubscribeOptions).reports ?? false
    : undefined;
  if (typeof reports !== "boolean") {
    throw new TypeError(
      `Cannot subscribe to the worker pool: options must be { reports?: boolean }, received ${
        describeValue(options)
      }`,
    );
  }
  return reports;
}

/** Live workers by id, with a read-only view for load balancers. */
export class Roster {
  readonly #entries = new Map<WorkerId, WorkerEntry>();
  #ids: readonly WorkerId[] = [];
  readonly #listeners = new Set<(change: RosterChange) => void>();
  readonly #reportListeners = new Set<(event: PoolEvent) => void>();
  readonly view: RosterView;

  constructor() {
    const entries = this.#entries;
    const ids = () => this.#ids;
    this.view = Object.freeze({
      get ids(): readonly WorkerId[] {
        return ids();
      },
      get size(): number {
        return entries.size;
      },
      get(id: WorkerId): WorkerInfo | undefined {
        return entries.get(id)?.info;
      },
      inFlight(id: WorkerId): number {
        const permits = entries.get(id)?.connection.permits;
        return permits ? permits.inUse + permits.waiting : 0;
      },
    });
  }

  /** The live worker with this id. */
  get(id: WorkerId): WorkerEntry | undefined {
    return this.#entries.get(id);
  }

  /** Every live worker, in the order they joined. */
  entries(): WorkerEntry[] {
    return [...this.#entries.values()];
  }

  /** The public list of live workers. */
  infos(): readonly WorkerInfo[] {
    return Object.freeze(this.entries().map((entry) => entry.info));
  }

  /** Adds a worker that is ready to serve. */
  add(entry: WorkerEntry): void {
    this.#entries.set(entry.info.id, entry);
    this.#ids = Object.freeze([...this.#entries.keys()]);
    this.#emit({ type: "joined", worker: entry.info });
  }

  /**
   * Removes a worker; returns it, or `undefined` when it had left already.
   * `message`, when given, goes with its `left` event.
   */
  remove(
    id: WorkerId,
    reason: LeaveReason,
    message?: string,
  ): WorkerEntry | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    this.#entries.delete(id);
    this.#ids = Object.freeze([...this.#entries.keys()]);
    this.#emit(
      message === undefined
        ? { type: "left", worker: entry.info, reason }
        : { type: "left", worker: entry.info, reason, message },
    );
    return entry;
  }

  /**
   * Tells the listeners that asked for reports about something other than
   * a join or a leave: a discovered worker that could not be admitted, a
   * discovery that failed.
   */
  report(event: Exclude<PoolEvent, RosterChange>): void {
    for (const listener of [...this.#reportListeners]) listener(event);
  }

  /**
   * Calls `listener` on every change until the returned function is
   * called; with `reports`, on every report too.
   */
  subscribe(listener: (change: RosterChange) => void): () => void;
  subscribe(listener: (event: PoolEvent) => void, reports: true): () => void;
  subscribe(
    listener: ((change: RosterChange) => void) | ((event: PoolEvent) => void),
    reports = false,
  ): () => void {
    // A listener for reports takes every event, a RosterChange included.
    const listeners: Set<(change: RosterChange) => void> = reports
      ? this.#reportListeners
      : this.#listeners;
    listeners.add(listener as (change: RosterChange) => void);
    return () => listeners.delete(listener as (change: RosterChange) => void);
  }

  #emit(change: RosterChange): void {
    for (const listener of [...this.#listeners]) listener(change);
    for (const listener of [...this.#reportListeners]) listener(change);
  }
}
