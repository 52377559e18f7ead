/**
 * The thread of `_ticker.ts`: sleeps until each arrival is due, to within
 * a fraction of a millisecond (`Atomics.wait`, a futex with a timeout),
 * and posts its index to the bench's main thread.
 *
 * @module
 */
/// <reference lib="deno.worker" />

/** What the main thread asks for: `total` arrivals `intervalMs` apart. */
export interface TickerPlan {
  /** When arrival 0 is due, as `performance.timeOrigin + performance.now()`. */
  readonly originMs: number;
  readonly intervalMs: number;
  readonly total: number;
}

self.onmessage = (event: MessageEvent<TickerPlan>) => {
  const { originMs, intervalMs, total } = event.data;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let next = 0; next < total; next++) {
    const waitMs = originMs + next * intervalMs -
      (performance.timeOrigin + performance.now());
    if (waitMs > 0) Atomics.wait(sleeper, 0, 0, waitMs);
    self.postMessage(next);
  }
};

// Loaded: the main thread starts the clock only now.
self.postMessage("ready");
