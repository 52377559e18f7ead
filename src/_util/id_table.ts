/**
 * A table of values keyed by integer ids that a counter hands out (a
 * pool's calls, a Session's task streams), for the per-call bookkeeping of
 * the caller's hot path, where a `Map` or a `Set` would cost the tail.
 *
 * Why not a `Map`: V8 keeps each hash table a `Map` or `Set` outgrows (or
 * rehashes to drop deleted entries) linked to its successor, entries and
 * all. Once one of those tables has reached the old generation, the
 * young-generation collector must treat what it points to as live: the
 * next table, the values it held, and everything they reach. With calls
 * added and removed thousands of times a second, every table and every
 * call's objects were then promoted — 3.7 MB per scavenge at concurrency
 * 64, and scavenges of 4–9 ms instead of under 1 ms, which was most of the
 * latency tail (`bench/README.md`). Two plain arrays with open addressing
 * have no such links: a removed value is simply overwritten.
 *
 * Linear probing, at most half full, with backward-shift deletion (no
 * tombstones); sequential ids fill consecutive slots.
 *
 * @module
 */

const EMPTY = -1;
const FIRST_CAPACITY = 16;

/** Values by non-negative integer id. */
export class IdTable<T> {
  #ids: number[];
  #values: (T | undefined)[];
  #mask: number;
  #size = 0;

  constructor() {
    this.#ids = new Array<number>(FIRST_CAPACITY).fill(EMPTY);
    this.#values = new Array<T | undefined>(FIRST_CAPACITY).fill(undefined);
    this.#mask = FIRST_CAPACITY - 1;
  }

  /** How many values the table holds. */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds `value` under `id`.
   *
   * @throws {RangeError} when `id` is not a non-negative safe integer, or
   * the table has it already.
   */
  set(id: number, value: T): void {
    if (!Number.isSafeInteger(id) || id < 0) {
      throw new RangeError(`An id must be a non-negative safe integer: ${id}`);
    }
    if (this.#find(id) >= 0) throw new RangeError(`The id ${id} is taken`);
    if (2 * (this.#size + 1) > this.#ids.length) this.#grow();
    let slot = id & this.#mask;
    while (this.#ids[slot] !== EMPTY) slot = (slot + 1) & this.#mask;
    this.#ids[slot] = id;
    this.#values[slot] = value;
    this.#size++;
  }

  /** The value under `id`; `undefined` for an id it does not hold. */
  get(id: number | bigint): T | undefined {
    if (typeof id !== "number") return undefined;
    const slot = this.#find(id);
    return slot < 0 ? undefined : this.#values[slot];
  }

  /** Removes the value under `id`; false when there was none. */
  delete(id: number | bigint): boolean {
    if (typeof id !== "number") return false;
    let hole = this.#find(id);
    if (hole < 0) return false;
    // Shift back every entry of the probe run after the hole that may
    // move into it, so that lookups never meet a gap before their id.
    const ids = this.#ids;
    const mask = this.#mask;
    for (let next = (hole + 1) & mask; ids[next] !== EMPTY;) {
      const home = ids[next] & mask;
      const movable = hole <= next
        ? home <= hole || home > next
        : home <= hole && home > next;
      if (movable) {
        ids[hole] = ids[next];
        this.#values[hole] = this.#values[next];
        hole = next;
      }
      next = (next + 1) & mask;
    }
    ids[hole] = EMPTY;
    this.#values[hole] = undefined;
    this.#size--;
    return true;
  }

  /** The values, in no particular order (a copy). */
  values(): T[] {
    const values: T[] = [];
    for (let slot = 0; slot < this.#ids.length; slot++) {
      if (this.#ids[slot] !== EMPTY) values.push(this.#values[slot] as T);
    }
    return values;
  }

  /** Removes every value. */
  clear(): void {
    this.#ids.fill(EMPTY);
    this.#values.fill(undefined);
    this.#size = 0;
  }

  /** The slot of `id`, or -1. */
  #find(id: number): number {
    const ids = this.#ids;
    const mask = this.#mask;
    for (let slot = id & mask;; slot = (slot + 1) & mask) {
      const held = ids[slot];
      if (held === id) return slot;
      if (held === EMPTY) return -1;
    }
  }

  /** Doubles the capacity; the old arrays are cleared, so they hold nothing alive. */
  #grow(): void {
    const ids = this.#ids;
    const values = this.#values;
    const capacity = ids.length * 2;
    this.#ids = new Array<number>(capacity).fill(EMPTY);
    this.#values = new Array<T | undefined>(capacity).fill(undefined);
    this.#mask = capacity - 1;
    for (let old = 0; old < ids.length; old++) {
      if (ids[old] === EMPTY) continue;
      let slot = ids[old] & this.#mask;
      while (this.#ids[slot] !== EMPTY) slot = (slot + 1) & this.#mask;
      this.#ids[slot] = ids[old];
      this.#values[slot] = values[old];
    }
    values.fill(undefined);
  }
}
