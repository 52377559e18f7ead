/**
 * Waiting for something with a time limit, the one way the library does
 * it: the timer is cleared and the abort listener removed as soon as the
 * wait ends, so nothing is left pending.
 *
 * @module
 */

/**
 * The longest delay, in milliseconds, `setTimeout` honours (about 24.8
 * days); a longer one fires at once.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** What {@linkcode withTimeout} settles with when the time ran out first. */
export const TIMED_OUT: unique symbol = Symbol("timed out");

/** What {@linkcode withTimeout} settles with when its signal aborted first. */
export const ABORTED: unique symbol = Symbol("aborted");

/**
 * Settles as `promise` does, or with {@linkcode TIMED_OUT} once `ms`
 * milliseconds have passed, or with {@linkcode ABORTED} once `signal`
 * aborts (at once when it has already), whichever comes first.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
): Promise<T | typeof TIMED_OUT>;
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<T | typeof TIMED_OUT | typeof ABORTED>;
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  signal?: AbortSignal,
): Promise<T | typeof TIMED_OUT | typeof ABORTED> {
  if (signal?.aborted) return Promise.resolve(ABORTED);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const gaveUp = new Promise<typeof TIMED_OUT | typeof ABORTED>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.min(ms, MAX_TIMER_MS));
    onAbort = () => resolve(ABORTED);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([promise, gaveUp]).finally(() => {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort!);
  });
}
