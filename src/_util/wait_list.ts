/**
 * Callers waiting for one condition to come true, woken together; each may
 * give up as soon as its own signal aborts (its listener is then removed,
 * and so is the waiter once woken).
 *
 * @module
 */

/** A list of waiters for one condition. */
export class WaitList {
  #waiters: (() => void)[] = [];

  /** Resolves at the next {@linkcode WaitList.wakeAll}, or once `signal` aborts. */
  wait(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== wake);
        resolve();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(wake);
    });
  }

  /** Wakes every waiter; later ones wait for the next call. */
  wakeAll(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
