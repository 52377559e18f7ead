/**
 * Load generators for the benchmarks.
 *
 * - {@linkcode runSequential}: one operation at a time (latency).
 * - {@linkcode runClosedLoop}: `concurrency` lanes, each starting its next
 *   operation when the last one ends (throughput at a fixed concurrency).
 * - {@linkcode runOpenLoop}: operations start at a fixed arrival rate
 *   whatever happens to earlier ones (overload). Latency is measured from
 *   each operation's *scheduled* arrival, so a caller that falls behind
 *   its schedule cannot hide queueing (no coordinated omission).
 *
 * @module
 */
import { type LatencySummary, Samples, summarize } from "./_stats.ts";

/** An operation under measurement; an unexpected failure fails the run. */
export type Operation = () => Promise<unknown>;

/** What a sequential or closed-loop run measured. */
export interface LoadResult {
  readonly concurrency: number;
  /** Operations completed in the measured window. */
  readonly completed: number;
  readonly elapsedMs: number;
  /** Completed operations per second. */
  readonly perSecond: number;
  readonly latency: LatencySummary;
}

/** Options of {@linkcode runSequential}. */
export interface SequentialOptions {
  /** Operations measured per round. */
  readonly iterations: number;
  /**
   * Measured rounds; the result is the round with the lowest median, so a
   * burst of noise spoils at most the rounds it hits. @default {1}
   */
  readonly rounds?: number;
  /** Operations run first and not measured. @default {iterations} */
  readonly warmup?: number;
}

/** A sequential result: the best round, and the median of every round. */
export interface SequentialResult extends LoadResult {
  /** Median latency of each round, in order, in milliseconds. */
  readonly roundsP50Ms: readonly number[];
}

/**
 * Runs `op` one at a time: a warm-up, then `rounds` rounds of `iterations`
 * operations each.
 */
export async function runSequential(
  op: Operation,
  options: SequentialOptions,
): Promise<SequentialResult> {
  const warmup = options.warmup ?? options.iterations;
  for (let i = 0; i < warmup; i++) await op();
  const results: LoadResult[] = [];
  for (let round = 0; round < (options.rounds ?? 1); round++) {
    const samples = new Samples();
    const started = performance.now();
    for (let i = 0; i < options.iterations; i++) {
      const t0 = performance.now();
      await op();
      samples.add(performance.now() - t0);
    }
    const elapsedMs = performance.now() - started;
    results.push({
      concurrency: 1,
      completed: options.iterations,
      elapsedMs,
      perSecond: options.iterations / (elapsedMs / 1000),
      latency: summarize(samples.values()),
    });
  }
  const best = results.reduce((a, b) =>
    b.latency.p50Ms < a.latency.p50Ms ? b : a
  );
  return { ...best, roundsP50Ms: results.map((r) => r.latency.p50Ms) };
}

/** Options of {@linkcode runClosedLoop}. */
export interface ClosedLoopOptions {
  /** Operations in flight at once. */
  readonly concurrency: number;
  /** How long each measured round lasts, in milliseconds. */
  readonly durationMs: number;
  /**
   * Measured rounds; the result is the round with the highest rate, so a
   * burst of noise from other processes on the machine spoils at most the
   * rounds it hits. @default {1}
   */
  readonly rounds?: number;
  /** How long to run first without measuring, in milliseconds. @default {durationMs / 4} */
  readonly warmupMs?: number;
}

/** A closed-loop result: the best round, and the rate of every round. */
export interface ClosedLoopResult extends LoadResult {
  /** Completed operations per second of each round, in order. */
  readonly roundsPerSecond: readonly number[];
}

/**
 * Keeps `concurrency` operations in flight for `durationMs` (after a
 * warm-up), `rounds` times. A round's rate counts the operations that
 * completed, over the time from its start until its last lane finished its
 * last operation.
 */
export async function runClosedLoop(
  op: Operation,
  options: ClosedLoopOptions,
): Promise<ClosedLoopResult> {
  const { concurrency, durationMs } = options;
  const warmupMs = options.warmupMs ?? durationMs / 4;
  if (warmupMs > 0) await lanes(op, concurrency, warmupMs, undefined);
  const results: LoadResult[] = [];
  for (let round = 0; round < (options.rounds ?? 1); round++) {
    const samples = new Samples();
    const started = performance.now();
    await lanes(op, concurrency, durationMs, samples);
    const elapsedMs = performance.now() - started;
    results.push({
      concurrency,
      completed: samples.length,
      elapsedMs,
      perSecond: samples.length / (elapsedMs / 1000),
      latency: summarize(samples.values()),
    });
  }
  const best = results.reduce((a, b) => b.perSecond > a.perSecond ? b : a);
  return { ...best, roundsPerSecond: results.map((r) => r.perSecond) };
}

async function lanes(
  op: Operation,
  concurrency: number,
  durationMs: number,
  samples: Samples | undefined,
): Promise<void> {
  const end = performance.now() + durationMs;
  const lane = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      await op();
      samples?.add(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

/** How an open-loop operation ended. */
export type Outcome = "accepted" | "rejected";

/** Options of {@linkcode runOpenLoop}. */
export interface OpenLoopOptions {
  /** Arrivals per second. */
  readonly ratePerSecond: number;
  /** How long arrivals keep coming, in milliseconds. */
  readonly durationMs: number;
}

/** What an open-loop run measured. */
export interface OpenLoopResult {
  readonly ratePerSecond: number;
  readonly offered: number;
  readonly accepted: number;
  readonly rejected: number;
  /** Latency of accepted operations from their scheduled arrival. */
  readonly latency: LatencySummary;
  /** Completed (accepted) operations per second, over the whole run. */
  readonly acceptedPerSecond: number;
  /** How late the scheduler started operations (p99), in milliseconds. */
  readonly startLagP99Ms: number;
  /** From the first arrival until the last operation settled. */
  readonly elapsedMs: number;
}

/**
 * Starts `op` at a fixed rate for `durationMs`, then waits for every
 * started operation to settle. Arrivals that fall due while the scheduler
 * sleeps (timers have about 1 ms resolution) start together when it wakes.
 *
 * @throws the first error an operation failed with, once all have settled.
 */
export async function runOpenLoop(
  op: () => Promise<Outcome>,
  options: OpenLoopOptions,
): Promise<OpenLoopResult> {
  const { ratePerSecond, durationMs } = options;
  const intervalMs = 1000 / ratePerSecond;
  const total = Math.max(1, Math.round((durationMs / 1000) * ratePerSecond));
  const latencies = new Samples();
  const lags = new Samples();
  const pending: Promise<void>[] = [];
  let rejected = 0;
  let failure: { error: unknown } | undefined;
  const started = performance.now();
  let next = 0;
  while (next < total) {
    const now = performance.now();
    while (next < total && started + next * intervalMs <= now) {
      const scheduled = started + next * intervalMs;
      lags.add(now - scheduled);
      pending.push(
        op().then((outcome) => {
          if (outcome === "accepted") {
            latencies.add(performance.now() - scheduled);
          } else rejected++;
        }, (error) => {
          failure ??= { error };
        }),
      );
      next++;
    }
    if (next < total) {
      const wait = started + next * intervalMs - performance.now();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
    }
  }
  await Promise.all(pending);
  if (failure) throw failure.error;
  const elapsedMs = performance.now() - started;
  return {
    ratePerSecond,
    offered: total,
    accepted: latencies.length,
    rejected,
    latency: summarize(latencies.values()),
    acceptedPerSecond: latencies.length / (elapsedMs / 1000),
    startLagP99Ms: summarize(lags.values()).p99Ms,
    elapsedMs,
  };
}

/** Options of {@linkcode runFixedCount}. */
export interface FixedCountOptions {
  /** Operations in flight at once. */
  readonly concurrency: number;
  /** Operations measured, in all. */
  readonly total: number;
}

/**
 * Runs exactly `total` operations, `concurrency` at a time (each lane
 * starts its next operation when its last one ends, until `total` have
 * started), and measures the whole batch: the rate is `total` over the
 * time from the first start to the last end.
 */
export async function runFixedCount(
  op: () => PromiseLike<unknown>,
  options: FixedCountOptions,
): Promise<LoadResult> {
  const { concurrency, total } = options;
  const samples = new Samples();
  let started = 0;
  const lane = async () => {
    while (started < total) {
      started++;
      const t0 = performance.now();
      await op();
      samples.add(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, lane),
  );
  const elapsedMs = performance.now() - t0;
  return {
    concurrency,
    completed: samples.length,
    elapsedMs,
    perSecond: samples.length / (elapsedMs / 1000),
    latency: summarize(samples.values()),
  };
}

/** When each call of {@linkcode runTimedCalls} started and ended. */
export interface CallTimes {
  /** Start of call `i`, in epoch milliseconds (`performance.timeOrigin` based). */
  readonly starts: number[];
  /** End of call `i`, on the same clock. */
  readonly ends: number[];
}

/**
 * Runs exactly `total` operations, `concurrency` at a time, as
 * {@linkcode runFixedCount} does, and keeps each one's start and end on
 * the epoch clock, for lining them up with other processes' or the
 * kernel's events.
 */
export async function runTimedCalls(
  op: () => PromiseLike<unknown>,
  options: FixedCountOptions,
): Promise<CallTimes> {
  const { concurrency, total } = options;
  const starts: number[] = new Array(total);
  const ends: number[] = new Array(total);
  let next = 0;
  const lane = async () => {
    while (next < total) {
      const i = next++;
      starts[i] = performance.timeOrigin + performance.now();
      await op();
      ends[i] = performance.timeOrigin + performance.now();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { starts, ends };
}
