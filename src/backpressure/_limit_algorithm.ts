/**
 * The contract between `adaptiveConcurrency` and the algorithms that learn
 * its limit. An algorithm is pure state: it sees one latency sample at a
 * time and the hook's verdict on whether the limit may grow, and keeps a
 * limit within its bounds. Time enters only through the samples.
 *
 * @module
 */

/** One admitted task that ended, as an algorithm sees it. */
export interface LimitSample {
  /** Milliseconds the task spent in the worker: `queuedMs + runMs`. */
  readonly latencyMs: number;
  /** When the task ended, on the hook's clock. */
  readonly nowMs: number;
  /**
   * Whether the limit may grow: it binds, and the worker's thread has time
   * to spare (see `LoadSignals`). An algorithm never raises its limit when
   * this is `false`.
   */
  readonly mayGrow: boolean;
  /** The task's place in admission order: 1 for the first task admitted. */
  readonly seq: number;
  /** How many tasks had been admitted when it ended. */
  readonly admitted: number;
  /**
   * Whether the task was admitted into an empty docket. Tasks run in the
   * order they were admitted, so none was ahead of it: its latency is the
   * worker's latency without load.
   */
  readonly alone: boolean;
}

/** The bounds and start of a learned limit. */
export interface LimitBounds {
  /** The floor: the limit never goes below it. */
  readonly minLimit: number;
  /** The ceiling: the limit never goes above it. */
  readonly maxLimit: number;
  /** The limit before any sample. */
  readonly initialLimit: number;
}

/** An algorithm that learns a concurrency limit from latency samples. */
export interface LimitAlgorithm {
  /** The limit now: a finite number within the bounds, maybe fractional. */
  readonly limit: number;
  /** Takes one sample. */
  update(sample: LimitSample): void;
  /** The estimate the limit is measured against, for reasons and tests. */
  describe(): string;
}

/** Clamps `value` to `[bounds.minLimit, bounds.maxLimit]`. */
export function clampLimit(value: number, bounds: LimitBounds): number {
  return Math.min(bounds.maxLimit, Math.max(bounds.minLimit, value));
}

/**
 * A mean over time: each sample's weight decays by `e` every `tauMs`, so
 * the mean covers about the last `tauMs` whatever the rate of samples, and
 * samples that arrive together count equally.
 */
export class DecayingMean {
  readonly #tauMs: number;
  #sum = 0;
  #weight = 0;
  #lastMs = Number.NaN;

  /** @param tauMs The time constant, in milliseconds. */
  constructor(tauMs: number) {
    this.#tauMs = tauMs;
  }

  /** The mean; `NaN` before the first sample. */
  get value(): number {
    return this.#weight === 0 ? Number.NaN : this.#sum / this.#weight;
  }

  /** Adds `value`, observed at `nowMs`. */
  add(value: number, nowMs: number): void {
    if (!Number.isNaN(this.#lastMs)) {
      const decay = Math.exp(-Math.max(0, nowMs - this.#lastMs) / this.#tauMs);
      this.#sum *= decay;
      this.#weight *= decay;
    }
    this.#lastMs = nowMs;
    this.#sum += value;
    this.#weight += 1;
  }

  /** Multiplies the mean by `factor` (`0 < factor`). */
  scale(factor: number): void {
    this.#sum *= factor;
  }
}
