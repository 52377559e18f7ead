/**
 * A worker's docket: the tasks it has admitted and not yet finished
 * (running coroutines and open generator streams). Its size is the
 * `activeTaskCount` a backpressure hook sees.
 *
 * The entries sit in a dense array, each knowing its slot, rather than in
 * a `Set`: the docket lives as long as the worker, so a `Set` would reach
 * the old generation, and a `Set` that tasks enter and leave thousands of
 * times a second links each hash table it outgrows to the next, making
 * the young-generation collector keep (and promote) the tasks it held.
 * An array slot is just overwritten (the same reasoning as
 * `src/_util/id_table.ts`).
 *
 * @module
 */
import { WaitList } from "../_util/wait_list.ts";
import { IdleClock } from "./idle_clock.ts";

/** One admitted task. */
export interface DocketEntry {
  /** Aborts the task's own signal and closes it, if it is a generator. */
  cancel(reason: unknown): void;
  /**
   * Where the docket keeps the entry: the docket's to set. Starts at -1
   * (in no docket).
   */
  docketSlot: number;
}

/** The set of admitted, unfinished tasks of one worker. */
export class Docket {
  #entries: (DocketEntry | undefined)[] = [];
  #size = 0;
  readonly #clock = new IdleClock();
  readonly #drained = new WaitList();

  /** How many tasks are in the docket. */
  get size(): number {
    return this.#size;
  }

  /** Adds an admitted task. */
  add(entry: DocketEntry): void {
    if (this.#holds(entry)) return;
    entry.docketSlot = this.#size;
    this.#entries[this.#size++] = entry;
    if (this.#size === 1) this.#clock.markBusy();
  }

  /**
   * Removes a finished task; an entry not in the docket is ignored.
   *
   * @returns `true` when the entry was in the docket (so it left now).
   */
  remove(entry: DocketEntry): boolean {
    if (!this.#holds(entry)) return false;
    const last = this.#entries[--this.#size]!;
    this.#entries[entry.docketSlot] = last;
    last.docketSlot = entry.docketSlot;
    this.#entries[this.#size] = undefined;
    entry.docketSlot = -1;
    if (this.#size > 0) return true;
    this.#clock.markEmpty();
    this.#drained.wakeAll();
    return true;
  }

  /** Cancels every task in the docket. Each leaves when it actually ends. */
  cancelAll(reason: unknown): void {
    const entries = this.#entries.slice(0, this.#size) as DocketEntry[];
    for (const entry of entries) entry.cancel(reason);
  }

  /** Resolves when the docket is empty, or when `signal` aborts. */
  drained(signal?: AbortSignal): Promise<void> {
    if (this.#size === 0) return Promise.resolve();
    return this.#drained.wait(signal);
  }

  #holds(entry: DocketEntry): boolean {
    const slot = entry.docketSlot;
    return slot >= 0 && slot < this.#size && this.#entries[slot] === entry;
  }

  /** Seconds since the docket last emptied; 0 while it holds a task. */
  idleSeconds(): number {
    return this.#clock.idleSeconds();
  }
}
