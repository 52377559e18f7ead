/**
 * The one way the built-in discoveries turn a producer into the iterable
 * `subscribe()` returns, so each keeps the contract's rules without
 * repeating them:
 *
 * - the producer runs with a signal that aborts when the subscriber's
 *   signal does or when the consumer stops iterating (`break`, `return()`);
 * - events it emits queue until read; none are delivered once aborted;
 * - iteration ends only after the producer has returned, so everything it
 *   opened is released before the consumer's loop moves on;
 * - a producer that throws (a bug: engine failures are `error` events)
 *   ends the iterable with that error, after the events queued before it.
 *
 * @module
 */

/** Hands an event to the stream's consumer. */
export type Emit<T> = (event: T) => void;

/**
 * Runs a subscription: emits events until `signal` aborts, then releases
 * what it opened and returns.
 */
export type Producer<T> = (emit: Emit<T>, signal: AbortSignal) => Promise<void>;

/** Starts `produce` and returns the iterable of what it emits. */
export function openEventStream<T>(
  signal: AbortSignal,
  produce: Producer<T>,
): AsyncIterableIterator<T> {
  return new EventStream(signal, produce);
}

/** Resolves once `signal` aborts (at once when it already has). */
export function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );
}

/**
 * Resolves after `ms`, or as soon as `signal` aborts, whichever is first;
 * `true` when the whole time passed. Leaves no timer or listener behind.
 */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (elapsed: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(elapsed);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

class EventStream<T> implements AsyncIterableIterator<T> {
  readonly #queue: T[] = [];
  readonly #stop = new AbortController();
  readonly #producing: Promise<void>;
  #wakers: (() => void)[] = [];
  #finished = false;
  #failure: { error: unknown } | undefined;

  constructor(signal: AbortSignal, produce: Producer<T>) {
    const stop = this.#stop;
    const onAbort = () => stop.abort(signal.reason);
    if (signal.aborted) stop.abort(signal.reason);
    else signal.addEventListener("abort", onAbort, { once: true });
    stop.signal.addEventListener("abort", () => this.#wake(), { once: true });
    this.#producing = this.#run(
      produce,
      () => signal.removeEventListener("abort", onAbort),
    );
  }

  async #run(produce: Producer<T>, detach: () => void): Promise<void> {
    try {
      if (!this.#stop.signal.aborted) {
        await produce((event) => this.#emit(event), this.#stop.signal);
      }
    } catch (error) {
      this.#failure = { error };
    } finally {
      detach();
      this.#finished = true;
      this.#wake();
    }
  }

  #emit(event: T): void {
    if (this.#stop.signal.aborted || this.#finished) return;
    this.#queue.push(event);
    this.#wake();
  }

  #wake(): void {
    const wakers = this.#wakers;
    this.#wakers = [];
    for (const wake of wakers) wake();
  }

  async next(): Promise<IteratorResult<T>> {
    while (true) {
      if (this.#stop.signal.aborted) return await this.#end();
      if (this.#queue.length > 0) {
        return { value: this.#queue.shift() as T, done: false };
      }
      if (this.#finished) {
        const failure = this.#failure;
        this.#failure = undefined;
        if (failure !== undefined) throw failure.error;
        return { value: undefined, done: true };
      }
      await new Promise<void>((resolve) => this.#wakers.push(resolve));
    }
  }

  return(): Promise<IteratorResult<T>> {
    this.#stop.abort();
    return this.#end();
  }

  async #end(): Promise<IteratorResult<T>> {
    this.#queue.length = 0;
    await this.#producing;
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
