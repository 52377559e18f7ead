/**
 * A counting semaphore that serves waiters in arrival order and hands out
 * `Disposable` permits, so `using permit = …` releases on every path.
 *
 * @module
 */
import { WaitList } from "../_util/wait_list.ts";

/** A permit; disposing it (once) gives it back. */
export interface Permit extends Disposable {
  release(): void;
}

interface Waiter {
  resolve(permit: Permit): void;
  reject(reason: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** FIFO counting semaphore. */
export class Semaphore {
  readonly #capacity: number;
  #available: number;
  readonly #waiters: Waiter[] = [];
  readonly #idle = new WaitList();

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#available = capacity;
  }

  /** Permits not handed out. */
  get available(): number {
    return this.#available;
  }

  /** Permits handed out and not yet given back. */
  get inUse(): number {
    return this.#capacity - this.#available;
  }

  /** Callers waiting for a permit. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** A permit now, or `undefined` when none is free (or others wait). */
  tryAcquire(): Permit | undefined {
    if (this.#available === 0 || this.#waiters.length > 0) return undefined;
    this.#available--;
    return this.#permit();
  }

  /** A permit, once one is free and every earlier waiter was served. */
  acquire(signal?: AbortSignal): Promise<Permit> {
    const permit = this.tryAcquire();
    if (permit) return Promise.resolve(permit);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
    });
  }

  /**
   * Resolves once every permit is back and no one waits for one (at once
   * when that is so already), or as soon as `signal` aborts.
   */
  idle(signal?: AbortSignal): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return this.#idle.wait(signal);
  }

  #isIdle(): boolean {
    return this.#available === this.#capacity && this.#waiters.length === 0;
  }

  #permit(): Permit {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#release();
    };
    return { release, [Symbol.dispose]: release };
  }

  #release(): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      if (waiter.onAbort) {
        waiter.signal!.removeEventListener("abort", waiter.onAbort);
      }
      waiter.resolve(this.#permit());
      return;
    }
    this.#available = Math.min(this.#capacity, this.#available + 1);
    if (this.#isIdle()) this.#idle.wakeAll();
  }
}
