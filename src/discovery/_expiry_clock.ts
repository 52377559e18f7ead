/**
 * Deadlines of announcements: each key expires `ttlMs` after its last
 * renewal, unless renewed or forgotten first. One timer, set to the
 * earliest deadline, serves them all. While suspended (the pool lost its
 * NATS connection, so silence proves nothing) nothing expires; `resume()`
 * gives every key a full `ttlMs` again.
 *
 * @module
 */

interface Deadline {
  at: number;
  readonly ttlMs: number;
}

/** Expiry deadlines by key, reported through `onExpire`. */
export class ExpiryClock implements Disposable {
  readonly #deadlines = new Map<string, Deadline>();
  readonly #onExpire: (key: string) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #suspended = false;

  constructor(onExpire: (key: string) => void) {
    this.#onExpire = onExpire;
  }

  /** Sets `key` to expire `ttlMs` from now. */
  renew(key: string, ttlMs: number): void {
    this.#deadlines.set(key, { at: performance.now() + ttlMs, ttlMs });
    this.#arm();
  }

  /** Drops `key` without expiring it. */
  forget(key: string): void {
    if (this.#deadlines.delete(key)) this.#arm();
  }

  /** Stops expiring keys until {@linkcode resume}. */
  suspend(): void {
    this.#suspended = true;
    this.#arm();
  }

  /** Expires keys again, each a full `ttlMs` from now. */
  resume(): void {
    this.#suspended = false;
    const now = performance.now();
    for (const deadline of this.#deadlines.values()) {
      deadline.at = now + deadline.ttlMs;
    }
    this.#arm();
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#suspended || this.#deadlines.size === 0) return;
    let earliest = Infinity;
    for (const deadline of this.#deadlines.values()) {
      earliest = Math.min(earliest, deadline.at);
    }
    const wait = Math.max(0, Math.ceil(earliest - performance.now()));
    this.#timer = setTimeout(() => this.#fire(), wait);
  }

  #fire(): void {
    this.#timer = undefined;
    const now = performance.now();
    // In deadline order, also when a late timer finds several due at once.
    const expired = [...this.#deadlines].filter(([, d]) => d.at <= now)
      .sort(([, a], [, b]) => a.at - b.at);
    for (const [key] of expired) this.#deadlines.delete(key);
    this.#arm();
    for (const [key] of expired) this.#onExpire(key);
  }

  [Symbol.dispose](): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#deadlines.clear();
  }
}
