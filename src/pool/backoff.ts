/**
 * Retrying with growing delays, the one way the pool does it: replacing
 * spawned workers that keep dying, dialing discovered workers that cannot
 * be reached, subscribing again to a discovery that broke. The delay
 * doubles with each failure in a row, from `firstMs` up to `maxMs`, and
 * starts over after a success.
 *
 * @module
 */
import { TIMED_OUT, withTimeout } from "../_util/timeout.ts";

/** How a {@linkcode Backoff} grows. */
export interface BackoffOptions {
  /** Milliseconds before the retry that follows a first failure. */
  readonly firstMs: number;
  /** The longest delay, in milliseconds. */
  readonly maxMs: number;
  /**
   * Spread each delay uniformly over ±20 %, so that many pools retrying
   * one worker do not all knock at once.
   *
   * @default {false}
   */
  readonly jitter?: boolean;
}

/** Failures in a row, and the delay they call for. */
export class Backoff {
  readonly #options: BackoffOptions;
  #failures = 0;

  constructor(options: BackoffOptions) {
    this.#options = options;
  }

  /** Failures since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /**
   * Milliseconds to wait before the next attempt: 0 after a success (or
   * before any attempt), else `firstMs · 2^(failures − 1)`, at most `maxMs`.
   */
  get delayMs(): number {
    if (this.#failures === 0) return 0;
    const { firstMs, maxMs, jitter } = this.#options;
    const delay = Math.min(maxMs, firstMs * 2 ** (this.#failures - 1));
    return jitter ? Math.round(delay * (0.8 + 0.4 * Math.random())) : delay;
  }

  /** An attempt failed: the next delay grows. */
  failed(): void {
    this.#failures++;
  }

  /** An attempt succeeded: the next failure starts over at `firstMs`. */
  succeeded(): void {
    this.#failures = 0;
  }
}

/**
 * Resolves `true` after `ms`, or `false` as soon as `signal` aborts
 * (at once when it has already); leaves no timer or listener behind.
 */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  return await withTimeout(new Promise<never>(() => {}), ms, signal) ===
    TIMED_OUT;
}
