/**
 * The options of `WorkerPool.close()`, validated.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";
import { MAX_TIMER_MS } from "../_util/timeout.ts";

/** Options of {@linkcode WorkerPool.close}. */
export interface CloseOptions {
  /**
   * Milliseconds in-flight tasks get to finish before they are cancelled.
   * @default {30000}
   */
  graceMs?: number;
}

/**
 * Validates the options of `close()`.
 *
 * @throws {TypeError} when `graceMs` is not a number.
 * @throws {RangeError} when `graceMs` is negative, not finite, or over
 * {@linkcode MAX_TIMER_MS}.
 */
export function validateCloseOptions(options: CloseOptions = {}): number {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `Cannot close worker pool: options must be an object, received ${
        describeValue(options)
      }`,
    );
  }
  const { graceMs = 30_000 } = options;
  if (typeof graceMs !== "number") {
    throw new TypeError(
      `Cannot close worker pool: "graceMs" must be a number, received ${
        describeValue(graceMs)
      }`,
    );
  }
  if (!Number.isFinite(graceMs) || graceMs < 0 || graceMs > MAX_TIMER_MS) {
    throw new RangeError(
      `Cannot close worker pool: "graceMs" must be a finite number ≥ 0 and ≤ ${MAX_TIMER_MS}, received ${graceMs}`,
    );
  }
  return graceMs;
}
