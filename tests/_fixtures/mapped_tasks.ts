/**
 * A task module that resolves through the caller's Deno configuration: a
 * bare specifier of its import map (`@wool/core/task`) and an `npm:` package.
 *
 * @module
 */
import { taskSignal } from "@wool/core/task";
import fc from "npm:fast-check@4.11.0";

/** Whether the task's own signal (read through the mapped specifier) aborted. */
export function signalAborted(): boolean {
  return taskSignal().aborted;
}

/** Three integers in 0..9 drawn by fast-check from `seed`. */
export function sample(seed: number): number[] {
  return fc.sample(fc.integer({ min: 0, max: 9 }), { seed, numRuns: 3 });
}
