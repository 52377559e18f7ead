/**
 * A safety bound for awaits that must not hang: a call that should settle
 * (the runtime's promise: "the caller never hangs") fails the test after a
 * generous time instead of stalling the suite. It is not a speed check:
 * the bound is far above any normal run.
 *
 * @module
 */
import { TIMED_OUT, withTimeout } from "../../src/_util/timeout.ts";

/** The default bound, far above any normal run, even on a loaded CI box. */
export const HANG_MS = 20_000;

/**
 * Settles as `promise` does, or rejects with an error naming `what` when it
 * has not settled within `ms`.
 */
export async function settles<T>(
  promise: Promise<T>,
  what: string,
  ms = HANG_MS,
): Promise<T> {
  const outcome = await withTimeout(promise, ms);
  if (outcome === TIMED_OUT) {
    throw new Error(`${what} did not settle within ${ms} ms`);
  }
  return outcome;
}
