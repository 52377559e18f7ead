/**
 * Checks and defaults for the options of `fairShare`; each message names
 * the factory and the option.
 *
 * @module
 */
import type { AdaptiveSettings } from "./_adaptive_limit.ts";
import {
  ADAPTIVE_OPTION_NAMES,
  checkFactoryOptions,
  resolveAdaptiveSettings,
} from "./_adaptive_options.ts";
import {
  checkOptionsObject,
  checkPositiveFiniteNumber,
  checkPositiveInteger,
} from "./_options.ts";
import { describeValue } from "../_util/describe.ts";

/** `FairShareOptions`, checked, with defaults filled in. */
export interface ResolvedFairShareOptions {
  readonly key: string;
  readonly limit: number | "adaptive";
  readonly weights: ReadonlyMap<string, number>;
  readonly idleMs: number;
  /** The learned limit's settings (defaults when `limit` is a number). */
  readonly adaptive: AdaptiveSettings;
}

const FACTORY = "fairShare";

/**
 * Checks `FairShareOptions` and fills in the defaults.
 *
 * @throws {TypeError} {RangeError} as `fairShare` does.
 */
export function resolveFairShareOptions(
  options: unknown,
): ResolvedFairShareOptions {
  const checked = checkFactoryOptions(
    FACTORY,
    options,
    ["key", "limit", "weights", "idleMs", "adaptive"],
    '{ key: "tenant", limit: 8 }',
  );
  if (typeof checked.key !== "string" || checked.key === "") {
    throw new TypeError(
      `${FACTORY}: "key" must name a context variable (or be "tag"), received ${
        describeValue(checked.key)
      }`,
    );
  }
  const limit = checked.limit === "adaptive"
    ? "adaptive"
    : checkLimit(checked.limit);
  if (checked.adaptive !== undefined && limit !== "adaptive") {
    throw new TypeError(
      `${FACTORY}: "adaptive" applies only with limit "adaptive", and the limit is ${limit}`,
    );
  }
  const adaptiveOptions = checkOptionsObject(
    `${FACTORY}: adaptive`,
    checked.adaptive ?? {},
    ADAPTIVE_OPTION_NAMES,
    '{ algorithm: "gradient2" }',
  );
  return Object.freeze({
    key: checked.key,
    limit,
    weights: checkWeights(checked.weights),
    idleMs: checked.idleMs === undefined
      ? 1000
      : checkPositiveFiniteNumber(FACTORY, "idleMs", checked.idleMs),
    adaptive: resolveAdaptiveSettings(`${FACTORY}: adaptive`, adaptiveOptions),
  });
}

function checkLimit(value: unknown): number {
  if (typeof value === "number") {
    return checkPositiveInteger(FACTORY, "limit", value);
  }
  throw new TypeError(
    `${FACTORY}: "limit" must be a positive integer or "adaptive", received ${
      describeValue(value)
    }`,
  );
}

function checkWeights(value: unknown): ReadonlyMap<string, number> {
  if (value === undefined) return new Map();
  const weights = checkOptionsObjectAnyKeys(value);
  const checked = new Map<string, number>();
  for (const [key, weight] of Object.entries(weights)) {
    checked.set(
      key,
      checkPositiveFiniteNumber(FACTORY, `weights.${key}`, weight),
    );
  }
  return checked;
}

function checkOptionsObjectAnyKeys(value: unknown): Record<string, unknown> {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  throw new TypeError(
    `${FACTORY}: "weights" must be an object of weights by key, like { acme: 2 }, received ${
      describeValue(value)
    }`,
  );
}
