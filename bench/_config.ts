/**
 * How long each part of the benchmark runs. The full budget keeps the whole
 * run to about two minutes on two cores; `--quick` shrinks every part for a
 * smoke test (its figures are noisier).
 *
 * @module
 */

/** Iteration counts and durations of one benchmark run. */
export interface Budget {
  /** Operations measured one at a time (latency), per round. */
  readonly sequentialIterations: number;
  /**
   * Rounds per sequential measurement; the one with the lowest median is
   * reported. Several, because a sequential round trip between two
   * processes is about twice as fast when the kernel happens to run both
   * on one CPU as when it wakes the other across CPUs, and it switches
   * between the two from time to time.
   */
  readonly sequentialRounds: number;
  /** Milliseconds each closed-loop round lasts (after a warm-up of a quarter of it). */
  readonly loadMs: number;
  /** Rounds per closed-loop measurement; the one with the highest rate is reported. */
  readonly rounds: number;
  /** Generator calls (of 100 values each) measured. */
  readonly generatorCalls: number;
  /** Milliseconds each open-loop overload level offers arrivals. */
  readonly overloadMs: number;
  /** Cold starts of a 2-worker pool measured (after one unmeasured). */
  readonly coldStarts: number;
  /** Milliseconds each load of section `adaptive` is measured (after a 500 ms warm-up). */
  readonly adaptiveLoadMs: number;
  /** Milliseconds the cost-change run of section `adaptive` is measured; the cost doubles halfway. */
  readonly adaptiveChangeMs: number;
  /** Calls, one at a time, that give section `adaptive` its unloaded p99. */
  readonly adaptiveBaselineCalls: number;
}

/** The budget of `deno task bench`. */
export const FULL_BUDGET: Budget = {
  sequentialIterations: 600,
  sequentialRounds: 5,
  loadMs: 1000,
  rounds: 3,
  generatorCalls: 40,
  overloadMs: 3000,
  coldStarts: 5,
  adaptiveLoadMs: 2000,
  adaptiveChangeMs: 6000,
  adaptiveBaselineCalls: 100,
};

/** The budget of `deno task bench --quick`. */
export const QUICK_BUDGET: Budget = {
  sequentialIterations: 300,
  sequentialRounds: 1,
  loadMs: 400,
  rounds: 1,
  generatorCalls: 8,
  overloadMs: 800,
  coldStarts: 2,
  adaptiveLoadMs: 800,
  adaptiveChangeMs: 3000,
  adaptiveBaselineCalls: 30,
};
