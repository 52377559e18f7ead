/**
 * Paired rounds: how the `listen`, `remote` and `telemetry` sections
 * compare two pools (or one pool two ways) on a shared machine. Both sides
 * are measured in alternating rounds, each side first in every other
 * round, so the machine's load, which drifts over seconds, weighs on both
 * alike; each round gives a ratio of two measurements taken back to back,
 * and the median of those ratios is the comparison. Each side's table
 * figures are its best rounds.
 *
 * @module
 */
import type { WorkerPool } from "@wool/core";
import type { Budget } from "./_config.ts";
import {
  type ClosedLoopResult,
  runClosedLoop,
  type SequentialResult,
} from "./_load.ts";
import { readCpuMs } from "./_proc.ts";

/** One concurrency-64 round, and the CPU it took. */
export interface LoadRound extends ClosedLoopResult {
  /** CPU time of the caller and the pool's workers per task, in µs. */
  readonly cpuUsPerTask: number;
}

/** One side's figures: its best round of each measurement. */
export interface PairedSide<C extends ClosedLoopResult = LoadRound> {
  readonly sequential: SequentialResult;
  readonly c64: C;
}

/** How many paired rounds of each measurement a section runs. */
export interface PairedRounds {
  readonly sequential: number;
  readonly c64: number;
}

/** The budget's rounds, and at least `minRounds` of each. */
export function pairedRounds(budget: Budget, minRounds: number): PairedRounds {
  return {
    sequential: Math.max(minRounds, budget.sequentialRounds),
    c64: Math.max(minRounds, 2 * budget.rounds),
  };
}

/**
 * Runs `measure` `rounds` times for each of two sides, alternating, and
 * each side first in every other round (A, B, B, A, …), so neither always
 * follows the other.
 */
export async function alternate<T, S extends string>(
  rounds: number,
  measure: (side: S) => Promise<T>,
  sides: readonly [S, S],
): Promise<Record<S, T[]>> {
  const results = { [sides[0]]: [], [sides[1]]: [] } as unknown as Record<
    S,
    T[]
  >;
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? sides : [sides[1], sides[0]];
    for (const side of order) results[side].push(await measure(side));
  }
  return results;
}

/** A side's best rounds: its lowest sequential p50, its highest c64 rate. */
export function bestRounds<C extends ClosedLoopResult>(
  sequential: readonly SequentialResult[],
  c64: readonly C[],
): PairedSide<C> {
  return {
    sequential: sequential.reduce((a, b) =>
      b.latency.p50Ms < a.latency.p50Ms ? b : a
    ),
    c64: c64.reduce((a, b) => b.perSecond > a.perSecond ? b : a),
  };
}

/** The median of `over[i] / under[i]`. */
export function medianRatio(
  over: readonly number[],
  under: readonly number[],
): number {
  const ratios = over.map((value, i) => value / under[i]).sort((a, b) => a - b);
  const middle = ratios.length >> 1;
  return ratios.length % 2
    ? ratios[middle]
    : (ratios[middle - 1] + ratios[middle]) / 2;
}

/**
 * The fewest losses out of `rounds` that a fair coin reaches less than 5 %
 * of the time (a one-sided sign test).
 */
export function significantLosses(rounds: number): number {
  let tail = 0;
  for (let losses = rounds; losses >= 0; losses--) {
    tail += binomial(rounds, losses) / 2 ** rounds;
    if (tail >= 0.05) return losses + 1;
  }
  return 0;
}

function binomial(n: number, k: number): number {
  let value = 1;
  for (let i = 1; i <= k; i++) value = value * (n - k + i) / i;
  return value;
}

/** One concurrency-64 round on `pool`, with the CPU it took per task. */
export async function loadRound(
  pool: WorkerPool,
  op: () => Promise<unknown>,
  durationMs: number,
): Promise<LoadRound> {
  const cpu = () =>
    readCpuMs("self") +
    pool.workers.reduce((sum, worker) => sum + readCpuMs(worker.pid), 0);
  const before = cpu();
  const result = await runClosedLoop(op, {
    concurrency: 64,
    durationMs,
    warmupMs: 0,
  });
  return {
    ...result,
    cpuUsPerTask: (cpu() - before) * 1000 / result.completed,
  };
}
