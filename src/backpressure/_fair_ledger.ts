/**
 * The bookkeeping of `fairShare`: per key, the tasks it holds and the most
 * it wanted at once lately, and the weighted shares that follow.
 *
 * A key's **demand** is the most slots it wanted at once (the tasks it held
 * plus the one arriving) over the last one to two `idleMs` (a maximum over
 * two alternating buckets). A key with demand or tasks is **active**: it
 * has work waiting, since in a worker a turned-away task goes elsewhere and
 * its caller retries, so recent arrivals are the only trace of a queue.
 *
 * Shares are weighted among active keys: `capacity × weight / Σ weights`.
 * A key's **claim** is what it may still take that others may not lend:
 * `min(demand, ⌈share⌉) − held`, at least 0.
 *
 * @module
 */

/** Where a key stands: see {@linkcode FairLedger.standing}. */
export interface Standing {
  /** Its weighted share of the capacity, maybe fractional. */
  readonly share: number;
  /** Slots the other active keys may still claim. */
  readonly claimedByOthers: number;
}

/** What the ledger keeps of one key. */
interface KeyEntry {
  held: number;
  demandNow: number;
  demandBefore: number;
}

/** Per-key tasks held and demand, and the shares they imply. */
export class FairLedger {
  readonly #weights: ReadonlyMap<string, number>;
  readonly #idleMs: number;
  readonly #entries = new Map<string, KeyEntry>();
  #bucketStartMs = Number.NaN;

  /**
   * @param weights Weight per key; keys not in it weigh 1.
   * @param idleMs How long a key's demand is remembered, in milliseconds.
   */
  constructor(weights: ReadonlyMap<string, number>, idleMs: number) {
    this.#weights = weights;
    this.#idleMs = idleMs;
  }

  /** Tasks `key` holds. */
  held(key: string): number {
    return this.#entries.get(key)?.held ?? 0;
  }

  /** Notes an arrival of `key` at `nowMs`: it wants one more slot. */
  arrive(key: string, nowMs: number): void {
    this.#roll(nowMs);
    const entry = this.#entry(key);
    entry.demandNow = Math.max(entry.demandNow, entry.held + 1);
  }

  /** Notes that a task of `key` was admitted. */
  admitted(key: string): void {
    this.#entry(key).held++;
  }

  /** Notes that a task of `key` left the docket. */
  settled(key: string): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined && entry.held > 0) entry.held--;
  }

  /**
   * Where `key` stands among the active keys: its weighted share of
   * `capacity`, and the slots the other active keys may still claim.
   */
  standing(key: string, capacity: number): Standing {
    let totalWeight = this.#entries.has(key) ? 0 : this.#weight(key);
    for (const [other, entry] of this.#entries) {
      if (isActive(entry) || other === key) totalWeight += this.#weight(other);
    }
    let claimedByOthers = 0;
    for (const [other, entry] of this.#entries) {
      if (other === key || !isActive(entry)) continue;
      const demand = Math.max(entry.demandNow, entry.demandBefore);
      const share = Math.ceil(capacity * this.#weight(other) / totalWeight);
      claimedByOthers += Math.max(0, Math.min(demand, share) - entry.held);
    }
    return {
      share: capacity * this.#weight(key) / totalWeight,
      claimedByOthers,
    };
  }

  #weight(key: string): number {
    return this.#weights.get(key) ?? 1;
  }

  #entry(key: string): KeyEntry {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { held: 0, demandNow: 0, demandBefore: 0 };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Starts a new bucket every `idleMs`, forgetting keys gone quiet. */
  #roll(nowMs: number): void {
    if (Number.isNaN(this.#bucketStartMs)) this.#bucketStartMs = nowMs;
    const elapsedMs = nowMs - this.#bucketStartMs;
    if (elapsedMs < this.#idleMs) return;
    const stale = elapsedMs >= 2 * this.#idleMs;
    for (const [key, entry] of this.#entries) {
      entry.demandBefore = stale ? 0 : entry.demandNow;
      entry.demandNow = 0;
      if (!isActive(entry)) this.#entries.delete(key);
    }
    this.#bucketStartMs = nowMs;
  }
}

function isActive(entry: KeyEntry): boolean {
  return entry.held > 0 || entry.demandNow > 0 || entry.demandBefore > 0;
}
