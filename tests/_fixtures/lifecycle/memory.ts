/**
 * Task routines that report and grow their worker's memory, for the
 * recycling tests.
 *
 * @module
 */

/** Blocks kept alive for the worker's whole life, as a leak would be. */
const held: Uint8Array[] = [];

/** The worker's resident set size, in bytes. */
export function rss(): number {
  return Deno.memoryUsage().rss;
}

/**
 * Allocates `bytes`, writes every page so it is resident, keeps it for the
 * worker's life, and returns the worker's resident set size.
 */
export function hold(bytes: number): number {
  held.push(new Uint8Array(bytes).fill(1));
  return Deno.memoryUsage().rss;
}
