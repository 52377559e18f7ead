/**
 * AIMD (additive increase, multiplicative decrease), as TCP's congestion
 * avoidance and Netflix's `AIMDLimit`, with latency for loss: a task that
 * took more than `tolerance` times the baseline is a congestion signal.
 *
 * - Baseline: the least latency seen in the last one to two `baselineMs`
 *   (a minimum over two alternating buckets), so it follows a change in
 *   task cost within `2 × baselineMs`, and the sawtooth below refreshes it:
 *   each decrease drains the queue that inflated latencies.
 * - Congested sample of a task admitted since the last decrease: the limit
 *   is multiplied by `backoff`. Once per round: the tasks admitted before a
 *   decrease still carry the old queue, so their latencies are not held
 *   against the lower limit, and one burst cannot collapse it.
 * - Other sample, when the limit may grow: `+1 / limit`, one more slot per
 *   round of `limit` tasks.
 *
 * @module
 */
import {
  clampLimit,
  type LimitAlgorithm,
  type LimitBounds,
  type LimitSample,
} from "./_limit_algorithm.ts";

/** The settings of {@linkcode Aimd}. */
export interface AimdSettings extends LimitBounds {
  /** How many times the baseline a latency may be before it is congestion. */
  readonly tolerance: number;
  /** What a decrease multiplies the limit by, in [0.5, 1). */
  readonly backoff: number;
  /** How long a baseline latency is remembered, in milliseconds. */
  readonly baselineMs: number;
}

/** AIMD on latency: additive growth, multiplicative backoff on queueing. */
export class Aimd implements LimitAlgorithm {
  readonly #settings: AimdSettings;
  #limit: number;
  /** Tasks admitted up to the last decrease: their latencies predate it. */
  #decreasedAt = 0;
  #bucketStartMs = Number.NaN;
  #current = Infinity;
  #previous = Infinity;

  constructor(settings: AimdSettings) {
    this.#settings = settings;
    this.#limit = clampLimit(settings.initialLimit, settings);
  }

  get limit(): number {
    return this.#limit;
  }

  update(sample: LimitSample): void {
    const baseline = this.#observe(sample.latencyMs, sample.nowMs);
    if (sample.latencyMs > this.#settings.tolerance * baseline) {
      if (sample.seq <= this.#decreasedAt) return;
      this.#limit = clampLimit(
        this.#limit * this.#settings.backoff,
        this.#settings,
      );
      this.#decreasedAt = sample.admitted;
      return;
    }
    if (sample.mayGrow) {
      this.#limit = clampLimit(this.#limit + 1 / this.#limit, this.#settings);
    }
  }

  describe(): string {
    return `baseline ${this.#baseline().toFixed(1)} ms`;
  }

  /** Adds a latency to the windowed minimum; returns the baseline. */
  #observe(latencyMs: number, nowMs: number): number {
    const bucketMs = this.#settings.baselineMs;
    if (Number.isNaN(this.#bucketStartMs)) this.#bucketStartMs = nowMs;
    const elapsedMs = nowMs - this.#bucketStartMs;
    if (elapsedMs >= bucketMs) {
      this.#previous = elapsedMs >= 2 * bucketMs ? Infinity : this.#current;
      this.#current = Infinity;
      this.#bucketStartMs = nowMs;
    }
    this.#current = Math.min(this.#current, latencyMs);
    return this.#baseline();
  }

  #baseline(): number {
    return Math.min(this.#current, this.#previous);
  }
}
