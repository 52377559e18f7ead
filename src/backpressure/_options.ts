/**
 * Private option checks shared by the built-in hook factories. Each message
 * starts with the factory's name and names the option, e.g.
 * `maxActive: "limit" must be a positive integer, received 0`.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";

/**
 * Checks that `options` is a plain object whose keys are all in `known`.
 *
 * @throws {TypeError} when it is not an object or has an unknown key.
 */
export function checkOptionsObject(
  factory: string,
  options: unknown,
  known: readonly string[],
  example: string,
): Record<string, unknown> {
  if (
    typeof options !== "object" || options === null || Array.isArray(options)
  ) {
    throw new TypeError(
      `${factory}: options must be an object like ${example}, received ${
        describeValue(options)
      }`,
    );
  }
  const unknownKeys = Reflect.ownKeys(options).filter((key) =>
    typeof key !== "string" || !known.includes(key)
  );
  if (unknownKeys.length > 0) {
    const names = unknownKeys.map((key) =>
      typeof key === "string" ? JSON.stringify(key) : String(key)
    ).join(", ");
    throw new TypeError(
      `${factory}: unknown ${
        unknownKeys.length === 1 ? "option" : "options"
      } ${names}: expected ${known.join(", ")}`,
    );
  }
  return options as Record<string, unknown>;
}

/**
 * Checks that `value` is a safe integer ≥ 1.
 *
 * @throws {TypeError} when it is not a number.
 * @throws {RangeError} when it is a number but not a positive safe integer.
 */
export function checkPositiveInteger(
  factory: string,
  option: string,
  value: unknown,
): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 1) {
    return value;
  }
  const ErrorClass = typeof value === "number" ? RangeError : TypeError;
  throw new ErrorClass(
    `${factory}: "${option}" must be a positive integer, received ${
      describeValue(value)
    }`,
  );
}

/**
 * Checks that `value` is a finite number > 0.
 *
 * @throws {TypeError} when it is not a number.
 * @throws {RangeError} when it is a number but not positive and finite.
 */
export function checkPositiveFiniteNumber(
  factory: string,
  option: string,
  value: unknown,
): number {
  if (
    typeof value === "number" && value > 0 && Number.isFinite(value)
  ) {
    return value;
  }
  const ErrorClass = typeof value === "number" ? RangeError : TypeError;
  throw new ErrorClass(
    `${factory}: "${option}" must be a positive finite number, received ${
      describeValue(value)
    }`,
  );
}
