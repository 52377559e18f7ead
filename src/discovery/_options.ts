/**
 * Option checks the discovery factories share: each names the factory
 * (`where`) and the option in its message, std style.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";

/** The longest duration a timer takes, in milliseconds. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * `value` as a duration in milliseconds: an integer from 1 to
 * {@linkcode MAX_DURATION_MS}, or `fallback` when undefined.
 *
 * @throws {TypeError} when it is not a number.
 * @throws {RangeError} when it is out of range.
 */
export function durationOption(
  where: string,
  option: string,
  value: unknown,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(
      `${where}: "${option}" must be a number, received ${
        describeValue(value)
      }`,
    );
  }
  if (!Number.isInteger(value) || value < 1 || value > MAX_DURATION_MS) {
    throw new RangeError(
      `${where}: "${option}" must be an integer from 1 to ${MAX_DURATION_MS} ms, received ${value}`,
    );
  }
  return value;
}

/** Throws a `TypeError` unless `options` is an object. */
export function checkOptionsObject(where: string, options: unknown): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `${where}: options must be an object, received ${describeValue(options)}`,
    );
  }
}
