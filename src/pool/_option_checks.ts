/**
 * The checks every scalar pool option goes through, each naming the option
 * in its message (`Cannot start worker pool: "<name>" must be …`), so that
 * nested options (`recycle.maxTasks`) read like top-level ones.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";
import { MAX_TIMER_MS } from "../_util/timeout.ts";
import type { Transport } from "../connection/worker_connection.ts";
import type { LoadBalancer } from "../loadbalancer/load_balancer.ts";
import { RoundRobinLoadBalancer } from "../loadbalancer/round_robin.ts";

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
 * A non-empty string option, or `undefined` when it is not given.
 *
 * @throws {TypeError} when it is not a non-empty string.
 */
export function optionalNameOption(
  name: string,
  value: unknown,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") {
    throw new TypeError(
      `Cannot start worker pool: "${name}" must be a non-empty string (a context variable's name, or "tag"), received ${
        describeValue(value)
      }`,
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

/** The `loadBalancer` option, or a round-robin one when it is not given. */
export function loadBalancerOption(value: unknown): LoadBalancer {
  if (value === undefined) return new RoundRobinLoadBalancer();
  if (
    value === null || typeof value !== "object" ||
    typeof (value as LoadBalancer).candidates !== "function"
  ) {
    throw new TypeError(
      `Cannot start worker pool: "loadBalancer" must be an object with a candidates() method, received ${
        describeValue(value)
      }`,
    );
  }
  return value as LoadBalancer;
}

/** The `transport` option, `"session"` when it is not given. */
export function transportOption(value: unknown): Transport {
  if (value === undefined) return "session";
  if (value !== "session" && value !== "dispatch") {
    throw new TypeError(
      `Cannot start worker pool: "transport" must be "session" or "dispatch", received ${
        describeValue(value)
      }`,
    );
  }
  return value;
}
