/**
 * Open-loop arrivals for the overload benchmark, two ways:
 *
 * - `"timer"` ({@linkcode timerArrivals}): the main thread sleeps with
 *   `setTimeout` until the next arrival is due, and sends every arrival
 *   due by then. Deno's timers wake 1–2 ms late (`await setTimeout(resolve,
 *   0)` takes ~2.1 ms here, `setTimeout(3)` ~4.2 ms), so calls go out in
 *   bursts, each 1–2 ms after it was due — and latency runs from the due
 *   time, so the lag is charged to the pool.
 * - `"even"` ({@linkcode evenArrivals}): a thread of its own
 *   (`_ticker_worker.ts`) sleeps with `Atomics.wait` and wakes the main
 *   thread with a message as each arrival is due: in a quiet run 0.1–0.2
 *   ms late at the median, later only while the main thread is busy.
 *
 * @module
 */
import type { TickerPlan } from "./_ticker_worker.ts";

const WORKER = new URL("./_ticker_worker.ts", import.meta.url);

/** How arrivals are paced; see the module doc. */
export type Arrivals = "timer" | "even";

/**
 * Calls `arrive(index, dueMs)` for arrivals `0 … total - 1`, each once it
 * is due: arrival `n` is due `n * intervalMs` after the start
 * (`dueMs` in `performance.now()` time). Resolves after the last.
 */
export type Pacer = (
  intervalMs: number,
  total: number,
  arrive: (index: number, dueMs: number) => void,
) => Promise<void>;

/** The pacer of each kind of arrivals. */
export const PACERS: Readonly<Record<Arrivals, Pacer>> = Object.freeze({
  timer: timerArrivals,
  even: evenArrivals,
});

/** {@linkcode Pacer} on the main thread's timers. */
export async function timerArrivals(
  intervalMs: number,
  total: number,
  arrive: (index: number, dueMs: number) => void,
): Promise<void> {
  const started = performance.now();
  let next = 0;
  while (next < total) {
    const nowMs = performance.now() - started;
    for (; next < total && next * intervalMs <= nowMs; next++) {
      arrive(next, started + next * intervalMs);
    }
    if (next < total) {
      const waitMs = next * intervalMs - (performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs)));
    }
  }
}

/** {@linkcode Pacer} on a thread of its own; the start is when it is up. */
export function evenArrivals(
  intervalMs: number,
  total: number,
  arrive: (index: number, dueMs: number) => void,
): Promise<void> {
  if (total <= 0) return Promise.resolve();
  const worker = new Worker(WORKER, { type: "module" });
  let startedMs = 0;
  return new Promise<void>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<number | "ready">) => {
      if (event.data === "ready") {
        startedMs = performance.now();
        const plan: TickerPlan = {
          originMs: performance.timeOrigin + startedMs,
          intervalMs,
          total,
        };
        worker.postMessage(plan);
        return;
      }
      const index = event.data;
      try {
        arrive(index, startedMs + index * intervalMs);
      } catch (error) {
        worker.terminate();
        reject(error);
        return;
      }
      if (index === total - 1) {
        worker.terminate();
        resolve();
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      worker.terminate();
      reject(new Error(`the arrival ticker failed: ${event.message}`));
    };
  });
}
