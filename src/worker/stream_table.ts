/**
 * The tasks of one `Session` stream by stream id. Ids are numbers the
 * caller counts up, kept in an {@linkcode IdTable} (a `Map` with tasks
 * added and removed thousands of times a second gets its tables and their
 * tasks promoted to the old generation: see `src/_util/id_table.ts`). An
 * id past 2⁵³ arrives as a bigint; those, which no pool sends, live in a
 * `Map` made when the first one comes.
 *
 * @module
 */
import { IdTable } from "../_util/id_table.ts";
import type { StreamId } from "../wire/frames.ts";

/** Values by stream id. */
export class StreamTable<T> {
  readonly #small = new IdTable<T>();
  #large: Map<bigint, T> | undefined;

  /** How many values the table holds. */
  get size(): number {
    return this.#small.size + (this.#large?.size ?? 0);
  }

  /** The value under `id`, if any. */
  get(id: StreamId): T | undefined {
    return typeof id === "number" ? this.#small.get(id) : this.#large?.get(id);
  }

  /** Adds `value` under `id`, which the table must not hold yet. */
  set(id: StreamId, value: T): void {
    if (typeof id === "number") this.#small.set(id, value);
    else (this.#large ??= new Map()).set(id, value);
  }

  /** Removes the value under `id`; false when there was none. */
  delete(id: StreamId): boolean {
    return typeof id === "number"
      ? this.#small.delete(id)
      : this.#large?.delete(id) ?? false;
  }

  /** The values, in no particular order (a copy). */
  values(): T[] {
    const values = this.#small.values();
    if (this.#large) values.push(...this.#large.values());
    return values;
  }

  /** Removes every value. */
  clear(): void {
    this.#small.clear();
    this.#large = undefined;
  }
}
