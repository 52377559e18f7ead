/**
 * Awaiting a pool's membership changes (`pool.subscribe()`), so tests wait
 * for a worker to leave or join instead of polling `pool.workers`.
 *
 * @module
 */
import type { RosterChange, WorkerPool } from "../../mod.ts";

interface Waiter {
  readonly matches: (change: RosterChange) => boolean;
  readonly resolve: (change: RosterChange) => void;
}

/** Records every change from its creation on; hands each out once. */
export class RosterWatch implements Disposable {
  readonly #unsubscribe: () => void;
  readonly #unclaimed: RosterChange[] = [];
  #waiters: Waiter[] = [];

  /** Starts recording the changes of `pool`. */
  constructor(pool: WorkerPool) {
    this.#unsubscribe = pool.subscribe((change) => this.#record(change));
  }

  /**
   * The first change not handed out yet of type `type` that `matches`,
   * recorded already or still to come.
   */
  next(
    type: RosterChange["type"],
    matches: (change: RosterChange) => boolean = () => true,
  ): Promise<RosterChange> {
    const test = (change: RosterChange) =>
      change.type === type && matches(change);
    const index = this.#unclaimed.findIndex(test);
    if (index >= 0) {
      return Promise.resolve(this.#unclaimed.splice(index, 1)[0]);
    }
    return new Promise((resolve) =>
      this.#waiters.push({ matches: test, resolve })
    );
  }

  [Symbol.dispose](): void {
    this.#unsubscribe();
  }

  #record(change: RosterChange): void {
    const waiter = this.#waiters.find((candidate) => candidate.matches(change));
    if (!waiter) {
      this.#unclaimed.push(change);
      return;
    }
    this.#waiters = this.#waiters.filter((candidate) => candidate !== waiter);
    waiter.resolve(change);
  }
}
