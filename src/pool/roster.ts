/**
 * The pool's live membership: the single place where workers join and
 * leave, whether spawned, respawned, crashed or evicted.
 *
 * @module
 */
import type { TaskConnection } from "../connection/worker_connection.ts";
import type { WorkerExit } from "../process/worker_exit.ts";
import type {
  RosterView,
  WorkerId,
  WorkerInfo,
} from "../loadbalancer/load_balancer.ts";

/** How a worker's process ended, and why, when the pool ended it. */
export interface WorkerEnd extends WorkerExit {
  /** Why the pool ended it, when the pool did (e.g. it hung). */
  readonly reason?: string;
}

/** A live worker: what the pool knows of it and how to reach it. */
export interface WorkerEntry {
  readonly info: WorkerInfo;
  readonly connection: TaskConnection;
  /** Resolves as soon as the worker's process has exited, with how it ended. */
  readonly exited: Promise<WorkerEnd>;
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
 */
export type LeaveReason =
  | "crashed"
  | "evicted"
  | "unauthenticated"
  | "closed"
  | "recycled";

/** A membership change, as the roster's listeners receive it. */
export type RosterChange =
  | { readonly type: "joined"; readonly worker: WorkerInfo }
  | {
    readonly type: "left";
    readonly worker: WorkerInfo;
    readonly reason: LeaveReason;
  };

/** Live workers by id, with a read-only view for load balancers. */
export class Roster {
  readonly #entries = new Map<WorkerId, WorkerEntry>();
  #ids: readonly WorkerId[] = [];
  readonly #listeners = new Set<(change: RosterChange) => void>();
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

  /** Removes a worker; returns it, or `undefined` when it had left already. */
  remove(id: WorkerId, reason: LeaveReason): WorkerEntry | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    this.#entries.delete(id);
    this.#ids = Object.freeze([...this.#entries.keys()]);
    this.#emit({ type: "left", worker: entry.info, reason });
    return entry;
  }

  /** Calls `listener` on every change until the returned function is called. */
  subscribe(listener: (change: RosterChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(change: RosterChange): void {
    for (const listener of [...this.#listeners]) listener(change);
  }
}
