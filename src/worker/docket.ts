/**
 * A worker's docket: the tasks it has admitted and not yet finished
 * (running coroutines and open generator streams). Its size is the
 * `activeTaskCount` a backpressure hook sees.
 *
 * @module
 */
import { WaitList } from "../_util/wait_list.ts";
import { IdleClock } from "./idle_clock.ts";

/** One admitted task. */
export interface DocketEntry {
  /** Aborts the task's own signal and closes it, if it is a generator. */
  cancel(reason: unknown): void;
}

/** The set of admitted, unfinished tasks of one worker. */
export class Docket {
  readonly #entries = new Set<DocketEntry>();
  readonly #clock = new IdleClock();
  readonly #drained = new WaitList();

  /** How many tasks are in the docket. */
  get size(): number {
    return this.#entries.size;
  }

  /** Adds an admitted task. */
  add(entry: DocketEntry): void {
    this.#entries.add(entry);
    if (this.#entries.size === 1) this.#clock.markBusy();
  }

  /**
   * Removes a finished task; an entry not in the docket is ignored.
   *
   * @returns `true` when the entry was in the docket (so it left now).
   */
  remove(entry: DocketEntry): boolean {
    if (!this.#entries.delete(entry)) return false;
    if (this.#entries.size > 0) return true;
    this.#clock.markEmpty();
    this.#drained.wakeAll();
    return true;
  }

  /** Cancels every task in the docket. Each leaves when it actually ends. */
  cancelAll(reason: unknown): void {
    for (const entry of [...this.#entries]) entry.cancel(reason);
  }

  /** Resolves when the docket is empty, or when `signal` aborts. */
  drained(signal?: AbortSignal): Promise<void> {
    if (this.#entries.size === 0) return Promise.resolve();
    return this.#drained.wait(signal);
  }

  /** Seconds since the docket last emptied; 0 while it holds a task. */
  idleSeconds(): number {
    return this.#clock.idleSeconds();
  }
}
