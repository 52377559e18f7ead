/**
 * A subscription's current set of workers, turned into the contract's
 * events as it changes: the only place the built-ins decide between
 * `added`, `updated` and `removed`, so each keeps the per-key grammar
 * `(added updated* removed)*` by construction.
 *
 * @module
 */
import type {
  DiscoveredWorker,
  DiscoveryEvent,
  RemovalReason,
} from "./discovery.ts";
import type { Emit } from "./_event_stream.ts";

/** The workers a subscription has reported, by key. */
export class Membership {
  readonly #known = new Map<string, DiscoveredWorker>();
  readonly #emit: Emit<DiscoveryEvent>;

  constructor(emit: Emit<DiscoveryEvent>) {
    this.#emit = emit;
  }

  /** How many workers are known. */
  get size(): number {
    return this.#known.size;
  }

  /** Every known worker. */
  workers(): IterableIterator<DiscoveredWorker> {
    return this.#known.values();
  }

  /** The known worker with this key. */
  get(key: string): DiscoveredWorker | undefined {
    return this.#known.get(key);
  }

  /**
   * Reports `worker`: `added` when its key is new, `updated` when something
   * but its address changed, `removed` (`"replaced"`) then `added` when its
   * address changed, nothing when it is the same.
   */
  put(worker: DiscoveredWorker): void {
    const known = this.#known.get(worker.key);
    if (known !== undefined && known.address !== worker.address) {
      this.remove(worker.key, "replaced");
    } else if (known !== undefined) {
      if (sameWorker(known, worker)) return;
      this.#known.set(worker.key, worker);
      this.#emit({ type: "updated", worker, previous: known });
      return;
    }
    this.#known.set(worker.key, worker);
    this.#emit({ type: "added", worker });
  }

  /** Reports the worker with `key` as `removed`, when it is known. */
  remove(key: string, reason: RemovalReason): void {
    const known = this.#known.get(key);
    if (known === undefined) return;
    this.#known.delete(key);
    this.#emit({ type: "removed", worker: known, reason });
  }

  /**
   * Makes `workers` the whole set: removes every known worker not among
   * them, with `reason`, then puts each (removals first, so a pool capped
   * by a lease sees the free place before the newcomer).
   */
  replaceAll(
    workers: Iterable<DiscoveredWorker>,
    reason: RemovalReason = "withdrawn",
  ): void {
    const next = new Map<string, DiscoveredWorker>();
    for (const worker of workers) next.set(worker.key, worker);
    for (const key of [...this.#known.keys()]) {
      if (!next.has(key)) this.remove(key, reason);
    }
    for (const worker of next.values()) this.put(worker);
  }
}

/** True when two reports of one key say the same thing. */
export function sameWorker(a: DiscoveredWorker, b: DiscoveredWorker): boolean {
  return a.key === b.key && a.address === b.address &&
    a.capacity === b.capacity && a.serverName === b.serverName &&
    sameList(a.tags ?? [], b.tags ?? []) &&
    sameRecord(a.metadata ?? {}, b.metadata ?? {});
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function sameRecord(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}
