/**
 * Tasks that take a known time, for the tests of learning hooks: `nap`
 * awaits a timer (no CPU), `burn` keeps the worker's thread busy.
 *
 * @module
 */

/** Awaits a timer of `ms` milliseconds, then returns `ms`. */
export async function nap(ms: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return ms;
}

/** Spins the worker's thread for `ms` milliseconds, then returns `ms`. */
export function burn(ms: number): number {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // CPU-bound on purpose.
  }
  return ms;
}
