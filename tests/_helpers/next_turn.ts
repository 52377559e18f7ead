/**
 * A turn boundary for tests: what is already queued — every microtask, and
 * the immediates and timers due — runs before it resolves.
 *
 * @module
 */

/** Resolves once a turn of the event loop has passed (a 0 ms timer fired). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
