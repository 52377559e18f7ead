/**
 * Checks and defaults for the options of an adaptive limit, shared by
 * `adaptiveConcurrency` and `fairShare({ limit: "adaptive" })`. Every
 * option is optional; each message names the factory and the option.
 *
 * @module
 */
import type { AdaptiveAlgorithm, AdaptiveSettings } from "./_adaptive_limit.ts";
import {
  checkOptionsObject,
  checkPositiveFiniteNumber,
  checkPositiveInteger,
} from "./_options.ts";
import { describeValue } from "../_util/describe.ts";

/** The option names of an adaptive limit, in the order messages list them. */
export const ADAPTIVE_OPTION_NAMES: readonly string[] = [
  "algorithm",
  "minLimit",
  "maxLimit",
  "initialLimit",
  "tolerance",
  "windowMs",
  "saturation",
  "smoothing",
  "backoff",
];

/** The defaults, as the option docs state them. */
export const ADAPTIVE_DEFAULTS = Object.freeze({
  algorithm: "gradient2" as AdaptiveAlgorithm,
  minLimit: 1,
  maxLimit: 1000,
  tolerance: 1.5,
  windowMs: 100,
  saturation: 0.9,
  smoothing: 0.2,
  backoff: 0.8,
});

/**
 * Resolves the adaptive options found in `checked` (already an object
 * whose keys were checked by the caller).
 *
 * @throws {TypeError} when an option has the wrong type, or an option of
 * one algorithm is given for the other.
 * @throws {RangeError} when an option is out of range.
 */
export function resolveAdaptiveSettings(
  factory: string,
  checked: Record<string, unknown>,
): AdaptiveSettings {
  const algorithm = checkAlgorithm(factory, checked.algorithm);
  const foreign = algorithm === "aimd" ? "smoothing" : "backoff";
  if (checked[foreign] !== undefined) {
    throw new TypeError(
      `${factory}: "${foreign}" applies only to algorithm "${
        foreign === "backoff" ? "aimd" : "gradient2"
      }", and the algorithm is "${algorithm}"`,
    );
  }
  const minLimit = optional(
    checked.minLimit,
    ADAPTIVE_DEFAULTS.minLimit,
    (v) => checkPositiveInteger(factory, "minLimit", v),
  );
  const maxLimit = optional(
    checked.maxLimit,
    ADAPTIVE_DEFAULTS.maxLimit,
    (v) => checkPositiveInteger(factory, "maxLimit", v),
  );
  if (maxLimit < minLimit) {
    throw new RangeError(
      `${factory}: "maxLimit" (${maxLimit}) must not be below "minLimit" (${minLimit})`,
    );
  }
  const initialLimit = optional(
    checked.initialLimit,
    minLimit,
    (v) => checkPositiveInteger(factory, "initialLimit", v),
  );
  if (initialLimit < minLimit || initialLimit > maxLimit) {
    throw new RangeError(
      `${factory}: "initialLimit" must be within minLimit..maxLimit (${minLimit}..${maxLimit}), received ${initialLimit}`,
    );
  }
  return Object.freeze({
    algorithm,
    minLimit,
    maxLimit,
    initialLimit,
    tolerance: optional(
      checked.tolerance,
      ADAPTIVE_DEFAULTS.tolerance,
      (v) => checkRange(factory, "tolerance", v, 1, Infinity, "greater than 1"),
    ),
    windowMs: optional(
      checked.windowMs,
      ADAPTIVE_DEFAULTS.windowMs,
      (v) => checkPositiveFiniteNumber(factory, "windowMs", v),
    ),
    saturation: optional(
      checked.saturation,
      ADAPTIVE_DEFAULTS.saturation,
      (v) => checkRange(factory, "saturation", v, 0, 1, "in (0, 1]", true),
    ),
    smoothing: optional(
      checked.smoothing,
      ADAPTIVE_DEFAULTS.smoothing,
      (v) => checkRange(factory, "smoothing", v, 0, 1, "in (0, 1]", true),
    ),
    backoff: optional(
      checked.backoff,
      ADAPTIVE_DEFAULTS.backoff,
      (v) => checkBackoff(factory, v),
    ),
    handoff: false,
  });
}

/**
 * Checks that `options` is an options object (as `checkOptionsObject`
 * does) and not a task's context: a factory named without `options` in a
 * spec is called as the hook itself, with a `BackpressureContext`.
 */
export function checkFactoryOptions(
  factory: string,
  options: unknown,
  known: readonly string[],
  example: string,
): Record<string, unknown> {
  if (
    typeof options === "object" && options !== null &&
    "activeTaskCount" in options && "task" in options
  ) {
    throw new TypeError(
      `${factory} is a hook factory, and was called with a task's context: name it with options in the spec (e.g. { module: "@wool/core/backpressure", export: "${factory}", options: ${example} })`,
    );
  }
  return checkOptionsObject(factory, options, known, example);
}

function optional<T>(value: unknown, fallback: T, check: (v: unknown) => T): T {
  return value === undefined ? fallback : check(value);
}

function checkAlgorithm(factory: string, value: unknown): AdaptiveAlgorithm {
  if (value === undefined) return ADAPTIVE_DEFAULTS.algorithm;
  if (value === "gradient2" || value === "aimd") return value;
  throw new TypeError(
    `${factory}: "algorithm" must be "gradient2" or "aimd", received ${
      describeValue(value)
    }`,
  );
}

function checkRange(
  factory: string,
  option: string,
  value: unknown,
  low: number,
  high: number,
  range: string,
  highInclusive = false,
): number {
  if (
    typeof value === "number" && value > low &&
    (value < high || (highInclusive && value === high)) &&
    Number.isFinite(value)
  ) {
    return value;
  }
  const ErrorClass = typeof value === "number" ? RangeError : TypeError;
  throw new ErrorClass(
    `${factory}: "${option}" must be a number ${range}, received ${
      describeValue(value)
    }`,
  );
}

function checkBackoff(factory: string, value: unknown): number {
  if (typeof value === "number" && value >= 0.5 && value < 1) return value;
  const ErrorClass = typeof value === "number" ? RangeError : TypeError;
  throw new ErrorClass(
    `${factory}: "backoff" must be a number in [0.5, 1), received ${
      describeValue(value)
    }`,
  );
}
