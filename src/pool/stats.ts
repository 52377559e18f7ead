/**
 * Admission accounting, kept by the caller from what workers answer.
 *
 * @module
 */
import { REJECTION_CAUSES, type RejectionCause } from "../wire/status.ts";

/** One worker's admission counts. */
export interface WorkerStats {
  /** The worker's id in its pool. */
  readonly id: string;
  /** The worker's address, as `pool.workers` shows it. */
  readonly address: string;
  /** Tasks this worker accepted (sent an Ack for). */
  readonly accepted: number;
  /** Tasks this worker rejected, by cause. */
  readonly rejected: Readonly<Record<RejectionCause, number>>;
}

/**
 * A snapshot of the pool's admission accounting.
 *
 * @example Reading it after a burst
 * ```ts
 * import { WorkerPool } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * await using pool = await WorkerPool.start({ spawn: 1 });
 * await pool.dispatch({ module: "data:text/javascript,export const f = () => 1", export: "f" });
 * assert.equal(pool.stats().workers[0].accepted, 1);
 * ```
 */
export interface PoolStats {
  /** Per worker, live or gone, in the order they joined. */
  readonly workers: readonly WorkerStats[];
  /** Calls that waited for capacity (`admissionWaitMs`). */
  readonly waited: number;
  /** Calls that failed with `NoWorkersAvailable`. */
  readonly exhausted: number;
}

interface Counts {
  address: string;
  accepted: number;
  rejected: Record<RejectionCause, number>;
}

/** The running counts behind {@linkcode PoolStats}. */
export class StatsBook {
  readonly #workers = new Map<string, Counts>();
  #waited = 0;
  #exhausted = 0;

  /** Starts counting for a worker. */
  track(id: string, address: string): void {
    if (this.#workers.has(id)) return;
    this.#workers.set(id, {
      address,
      accepted: 0,
      rejected: Object.fromEntries(
        REJECTION_CAUSES.map((cause) => [cause, 0]),
      ) as Record<RejectionCause, number>,
    });
  }

  /** A worker accepted a task. */
  accepted(id: string): void {
    const counts = this.#workers.get(id);
    if (counts) counts.accepted++;
  }

  /** A worker rejected a task. */
  rejected(id: string, cause: RejectionCause): void {
    const counts = this.#workers.get(id);
    if (counts) counts.rejected[cause]++;
  }

  /** A call started waiting for capacity. */
  waited(): void {
    this.#waited++;
  }

  /** A call failed for want of capacity. */
  exhausted(): void {
    this.#exhausted++;
  }

  /** A frozen snapshot. */
  snapshot(): PoolStats {
    const workers = [...this.#workers].map(([id, counts]) =>
      Object.freeze({
        id,
        address: counts.address,
        accepted: counts.accepted,
        rejected: Object.freeze({ ...counts.rejected }),
      })
    );
    return Object.freeze({
      workers: Object.freeze(workers),
      waited: this.#waited,
      exhausted: this.#exhausted,
    });
  }
}
