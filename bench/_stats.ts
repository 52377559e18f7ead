/**
 * Summary statistics for the benchmarks: percentiles of latency samples
 * and a compact summary of one measured run.
 *
 * All durations are milliseconds, as `performance.now()` gives them.
 *
 * @module
 */

/** A latency summary, in milliseconds. */
export interface LatencySummary {
  /** How many samples the summary is made of. */
  readonly count: number;
  readonly minMs: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * The `p`-th percentile (0 ≤ p ≤ 100) of samples that are already sorted
 * ascending, interpolated linearly between the two closest ranks (the
 * "type 7" definition of R and NumPy's default). `NaN` for no samples.
 *
 * @throws {RangeError} when `p` is outside [0, 100].
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) {
    throw new RangeError(`Percentile must be within [0, 100], received ${p}`);
  }
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = (p / 100) * (n - 1);
  const low = Math.floor(rank);
  const high = Math.min(low + 1, n - 1);
  const fraction = rank - low;
  return sorted[low] + (sorted[high] - sorted[low]) * fraction;
}

/**
 * The `p`-th percentile of unsorted samples (see
 * {@linkcode percentileSorted}); the input is not modified.
 */
export function percentile(samples: ArrayLike<number>, p: number): number {
  return percentileSorted(sortedCopy(samples), p);
}

/** Summarises latency samples in milliseconds; every field `NaN` when empty. */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = sortedCopy(samples);
  const n = sorted.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += sorted[i];
  return {
    count: n,
    minMs: n === 0 ? NaN : sorted[0],
    meanMs: n === 0 ? NaN : total / n,
    p50Ms: percentileSorted(sorted, 50),
    p90Ms: percentileSorted(sorted, 90),
    p99Ms: percentileSorted(sorted, 99),
    maxMs: n === 0 ? NaN : sorted[n - 1],
  };
}

/** The median of a few numbers (e.g. repeated start-up times). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * `value / floor`, or `NaN` when either is not a positive finite number,
 * so a missing floor never yields a misleading ratio.
 */
export function ratio(value: number, floor: number): number {
  if (!(Number.isFinite(value) && Number.isFinite(floor)) || floor <= 0) {
    return NaN;
  }
  return value / floor;
}

/** A growable buffer of samples backed by a `Float64Array`. */
export class Samples {
  #data = new Float64Array(1024);
  #length = 0;

  /** How many samples were added. */
  get length(): number {
    return this.#length;
  }

  /** Appends one sample. */
  add(value: number): void {
    if (this.#length === this.#data.length) {
      const grown = new Float64Array(this.#data.length * 2);
      grown.set(this.#data);
      this.#data = grown;
    }
    this.#data[this.#length++] = value;
  }

  /** The samples added so far (a view; do not keep it past the next add). */
  values(): Float64Array {
    return this.#data.subarray(0, this.#length);
  }
}

function sortedCopy(samples: ArrayLike<number>): Float64Array {
  const sorted = Float64Array.from(samples);
  sorted.sort();
  return sorted;
}
