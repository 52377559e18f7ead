/**
 * Hook exports that fail a worker's start-up, each in its own way. The
 * module records the worker's pid first (see `records_pid.ts`).
 *
 * @module
 */
import "./records_pid.ts";
import type { BackpressureHook } from "../../../src/backpressure/types.ts";

/** A valid hook, so the module itself loads. */
export default function accept(): boolean {
  return false;
}

/** Not a function: a plain string (the seed's "a string is not a hook"). */
export const notAFunction = "not a hook";

/** A factory that throws. */
export function throwingFactory(): BackpressureHook {
  throw new RangeError("factory refused its options");
}

/** A factory that returns something other than a hook. */
export function nonFunctionFactory(): unknown {
  return "not a hook";
}
