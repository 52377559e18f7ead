/**
 * The checks every scalar pool option goes through, each naming the option
 * in its message (`Cannot start worker pool: "<name>" must be …`), so that
 * nested options (`recycle.maxTasks`) read like top-level ones.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";
import { MAX_TIMER_MS } from "../_util/timeout.ts";

/**
 * An integer option ≥ `min`, or `fallback` when it is not given.
 *
 * @throws {TypeError} when it is not a number.
 * @throws {RangeError} when it is not a safe integer ≥ `min`.
 */
export function integerOption(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot start worker pool: "${name}" must be an integer, received ${
        describeValue(value)
      }`,
    );
  }
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(
      `Cannot start worker pool: "${name}" must be an integer ≥ ${min}, received ${value}`,
    );
  }
  return value;
}

/**
 * A duration option in milliseconds (> 0, or ≥ 0 when `zeroAllowed`, and at
 * most {@linkcode MAX_TIMER_MS}), or `fallback` when it is not given.
 *
 * @throws {TypeError} when it is not a number.
 * @throws {RangeError} when it is out of that range or not finite.
 */
export function durationOption(
  name: string,
  value: unknown,
  fallback: number,
  zeroAllowed: boolean,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot start worker pool: "${name}" must be a number of milliseconds, received ${
        describeValue(value)
      }`,
    );
  }
  if (
    !Number.isFinite(value) || value < 0 || (!zeroAllowed && value === 0) ||
    value > MAX_TIMER_MS
  ) {
    throw new RangeError(
      `Cannot start worker pool: "${name}" must be a finite number ${
        zeroAllowed ? "≥ 0" : "> 0"
      } and ≤ ${MAX_TIMER_MS}, received ${value}`,
    );
  }
  return value;
}

/**
 * A boolean option, or `fallback` when it is not given.
 *
 * @throws {TypeError} when it is not a boolean.
 */
export function booleanOption(
  name: string,
  value: unknown,
  fallback: boolean,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new TypeError(
      `Cannot start worker pool: "${name}" must be a boolean, received ${
        describeValue(value)
      }`,
    );
  }
  return value;
}
