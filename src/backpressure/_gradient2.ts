/**
 * Gradient2, after Netflix's concurrency-limits `Gradient2Limit` and
 * Envoy's adaptive concurrency filter: the limit follows the ratio of the
 * worker's latency without load to its latency now.
 *
 * ```
 * gradient = clamp(tolerance × baseline / latency, 0.5, 1)     once per round
 * limit    = gradient < 1 ? limit × gradient                    (queueing: shrink)
 *          : mayGrow      ? limit + smoothing × √limit          (flat: grow)
 *          :                limit
 * ```
 *
 * - A **round** ends when a task admitted after it began settles (one
 *   round trip through the docket, as TCP counts them); `latency` is the
 *   median of the round's samples (Envoy aggregates its windows the same
 *   way). Updating once per round keeps a queue that every task of a round
 *   saw from being counted once per task, and one slow task among many does
 *   not move the median. The gradient's floor of 0.5 halves the limit at
 *   most once per round.
 * - The **baseline** is a mean over time (`baselineMs`) of the latencies of
 *   tasks admitted into an empty docket. Tasks run in admission order, so
 *   nothing was ahead of those: their latency is the worker's latency
 *   without load. Under sustained overload no task is admitted alone and
 *   the baseline holds still, so it cannot creep up with the queue (the
 *   drift of Netflix's long average); after a change of task cost the limit
 *   shrinks until tasks are admitted alone again, and relearns from them.
 *   When latency falls to under half the baseline, the baseline is pulled
 *   down by 10 % per round, as Netflix does.
 *
 * What differs from Netflix's: the baseline (above); one update per round,
 * not per sample; growth only when latency is within tolerance (no standing
 * queue of `queueSize`) and when the hook allows it (`mayGrow`: the limit
 * binds and the thread has time to spare); growth of `smoothing × √limit`
 * per round, as Envoy's headroom.
 *
 * @module
 */
import {
  clampLimit,
  DecayingMean,
  type LimitAlgorithm,
  type LimitBounds,
  type LimitSample,
} from "./_limit_algorithm.ts";

/** The settings of {@linkcode Gradient2}. */
export interface Gradient2Settings extends LimitBounds {
  /** How many times the baseline the round's latency may be. */
  readonly tolerance: number;
  /** The share of `√limit` the limit grows by per round, in (0, 1]. */
  readonly smoothing: number;
  /** Time constant of the baseline, in milliseconds. */
  readonly baselineMs: number;
}

/** Gradient2: a limit that follows the baseline-to-latency ratio. */
export class Gradient2 implements LimitAlgorithm {
  readonly #settings: Gradient2Settings;
  readonly #baseline: DecayingMean;
  /** The mean of all latencies, until a task is admitted alone. */
  readonly #fallback: DecayingMean;
  #limit: number;
  /** Tasks admitted when the round began: it ends with a later one. */
  #roundStart = 0;
  /** The latencies of the round so far. */
  #round: number[] = [];
  /** Flat rounds left before the limit may grow again. */
  #cooldown = 0;
  /** The next cooldown, in rounds: doubles with each failed probe. */
  #backoff = 1;
  /** The last round's growth let in a whole task more: this round judges it. */
  #probing = false;

  constructor(settings: Gradient2Settings) {
    this.#settings = settings;
    this.#baseline = new DecayingMean(settings.baselineMs);
    this.#fallback = new DecayingMean(settings.baselineMs);
    this.#limit = clampLimit(settings.initialLimit, settings);
  }

  get limit(): number {
    return this.#limit;
  }

  update(sample: LimitSample): void {
    // The reference is read before this sample joins it: a sample measured
    // against a mean that already holds it would look closer to the mean
    // than it is, and a faster task could then leave a lower limit than a
    // slower one.
    const reference = this.#reference();
    if (sample.alone) this.#baseline.add(sample.latencyMs, sample.nowMs);
    else this.#fallback.add(sample.latencyMs, sample.nowMs);
    this.#round.push(sample.latencyMs);
    if (sample.seq <= this.#roundStart) return;
    const latency = median(this.#round);
    this.#roundStart = sample.admitted;
    this.#round = [];
    this.#endRound(latency, reference, sample.mayGrow);
  }

  describe(): string {
    return `baseline ${this.#reference().toFixed(1)} ms`;
  }

  #endRound(latency: number, baseline: number, mayGrow: boolean): void {
    if (baseline > 2 * latency) this.#baseline.scale(0.9);
    // No reference yet (the first sample of all): nothing says there is a
    // queue, so the limit may only grow.
    const ratio = latency > 0 && !Number.isNaN(baseline)
      ? this.#settings.tolerance * baseline / latency
      : 1;
    const gradient = Math.max(0.5, Math.min(1, ratio));
    const probing = this.#probing;
    this.#probing = false;
    if (gradient < 1) {
      if (probing) {
        this.#cooldown = this.#backoff;
        this.#backoff = Math.min(2 * this.#backoff, MAX_BACKOFF_ROUNDS);
      }
      this.#limit = clampLimit(this.#limit * gradient, this.#settings);
      return;
    }
    if (probing) this.#backoff = 1;
    if (this.#cooldown > 0) {
      this.#cooldown--;
      return;
    }
    if (mayGrow) {
      const before = Math.floor(this.#limit);
      this.#limit = clampLimit(
        this.#limit + this.#settings.smoothing * Math.sqrt(this.#limit),
        this.#settings,
      );
      this.#probing = Math.floor(this.#limit) > before;
    }
  }

  /** The baseline, or the mean of all latencies until there is one. */
  #reference(): number {
    const baseline = this.#baseline.value;
    return Number.isNaN(baseline) ? this.#fallback.value : baseline;
  }
}

/** The longest cooldown after failed probes, in rounds. */
const MAX_BACKOFF_ROUNDS = 64;

/** The median of `values` (not empty); sorts them. */
function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const middle = values.length >> 1;
  return values.length % 2 === 1
    ? values[middle]
    : (values[middle - 1] + values[middle]) / 2;
}
