/**
 * Figures of a {@linkcode SimRun}: goodput, accepted-task percentiles, and
 * how long a hook took to settle again after a change.
 *
 * @module
 */
import type { SimRun } from "./worker_sim.ts";

/** The figures of one span of a run. */
export interface SpanFigures {
  /** Accepted tasks finished per second within the span. */
  readonly goodput: number;
  /** p99 latency of the tasks that arrived within the span and were accepted. */
  readonly p99Ms: number;
  /** Accepted tasks that arrived within the span. */
  readonly accepted: number;
  /** Rejected tasks that arrived within the span. */
  readonly rejected: number;
}

/** The figures of `[fromMs, toMs)`, for one tenant or all. */
export function spanFigures(
  run: SimRun,
  fromMs: number,
  toMs: number,
  tenant?: string,
): SpanFigures {
  const mine = <T extends { tenant?: string }>(item: T) =>
    tenant === undefined || item.tenant === tenant;
  const finished =
    run.accepted.filter((task) =>
      mine(task) && task.finishedMs >= fromMs && task.finishedMs < toMs
    ).length;
  const arrived = run.accepted.filter((task) =>
    mine(task) && task.arrivedMs >= fromMs && task.arrivedMs < toMs
  );
  const rejected =
    run.rejected.filter((task) =>
      mine(task) && task.arrivedMs >= fromMs && task.arrivedMs < toMs
    ).length;
  return {
    goodput: finished * 1000 / (toMs - fromMs),
    p99Ms: percentile(arrived.map((task) => task.latencyMs), 0.99),
    accepted: arrived.length,
    rejected,
  };
}

/** The `q` quantile (nearest rank) of `values`; `NaN` when empty. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, rank)];
}

/**
 * Milliseconds from `changeMs` until the run is good for good: the start
 * of the first `windowMs` window from which every window up to `endMs`
 * meets `good`. `Infinity` when the last window does not.
 */
export function settleTimeMs(
  run: SimRun,
  changeMs: number,
  endMs: number,
  windowMs: number,
  good: (figures: SpanFigures) => boolean,
): number {
  let settledAt = Infinity;
  for (let start = endMs - windowMs; start >= changeMs; start -= windowMs) {
    if (!good(spanFigures(run, start, start + windowMs))) break;
    settledAt = start;
  }
  return settledAt - changeMs;
}
