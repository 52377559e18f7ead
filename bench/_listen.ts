/**
 * Section `listen` of the benchmark: the trivial task with workers on Unix
 * sockets (the default) next to the same pool on TCP loopback, in the same
 * run. The two pools run at once and are measured in paired rounds (Unix
 * then TCP, TCP then Unix, …; see `_paired.ts`); the median of the rounds'
 * ratios is the comparison. Besides latency and throughput, each concurrency-64 round
 * measures the CPU time the caller and the pool's workers spent per task,
 * which other processes on the machine disturb least.
 *
 * The secure default must not be slower than TCP. On a shared machine two
 * pools this close differ by less than the noise of one round, so "slower"
 * takes evidence: Unix losing so many of the paired rounds that a coin
 * would do so less than 5 % of the time (a sign test), in latency or in
 * throughput.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { WorkerPool } from "@wool/core";
import type { Budget } from "./_config.ts";
import { runClosedLoop, runSequential } from "./_load.ts";
import {
  alternate,
  bestRounds,
  loadRound,
  medianRatio,
  type PairedRounds,
  pairedRounds,
  type PairedSide,
  significantLosses,
} from "./_paired.ts";
import { WORKERS } from "./_pool.ts";
import { formatMs, formatRate, renderTable } from "./_table.ts";

const TASKS = new URL("./fixtures/tasks.ts", import.meta.url).href;
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));

/** Where the workers listen. */
export type Listen = "unix" | "tcp";

/** The two sides, and how the Unix socket compares (> 1: Unix is better). */
export interface ListenResults {
  readonly unix: PairedSide;
  readonly tcp: PairedSide;
  /** Median of paired rounds: TCP's sequential p50 over Unix's. */
  readonly sequentialSpeedup: number;
  /** Median of paired rounds: Unix's c64 rate over TCP's. */
  readonly c64Speedup: number;
  /** Median of paired rounds: TCP's CPU per task over Unix's. */
  readonly cpuSaving: number;
  /** Paired rounds behind each ratio. */
  readonly rounds: PairedRounds;
  /** Paired rounds in which Unix did worse than TCP. */
  readonly unixLost: { readonly sequential: number; readonly c64: number };
}

/**
 * Paired rounds at least, whatever the budget: with 8, losing 7 is the
 * least a coin does less than 5 % of the time.
 */
const MIN_ROUNDS = 8;

/** Measures `add(1, 2)` sequentially and at concurrency 64 on both. */
export async function measureListen(budget: Budget): Promise<ListenResults> {
  const pools = {} as Record<Listen, WorkerPool>;
  try {
    for (const listen of ["unix", "tcp"] as const) {
      pools[listen] = await WorkerPool.start({
        spawn: WORKERS,
        worker: { config: CONFIG, listen },
      });
    }
    const add = (listen: Listen) => () =>
      pools[listen].dispatch({ module: TASKS, export: "add", args: [1, 2] });
    const rounds = pairedRounds(budget, MIN_ROUNDS);
    const sides = ["unix", "tcp"] as const;
    const sequential = await alternate(
      rounds.sequential,
      (listen: Listen) =>
        runSequential(add(listen), { iterations: budget.sequentialIterations }),
      sides,
    );
    for (const listen of sides) {
      await runClosedLoop(add(listen), {
        concurrency: 64,
        durationMs: budget.loadMs / 4,
        warmupMs: 0,
      });
    }
    const c64 = await alternate(
      rounds.c64,
      (listen: Listen) => loadRound(pools[listen], add(listen), budget.loadMs),
      sides,
    );
    return {
      unix: bestRounds(sequential.unix, c64.unix),
      tcp: bestRounds(sequential.tcp, c64.tcp),
      sequentialSpeedup: medianRatio(
        sequential.tcp.map((r) => r.latency.p50Ms),
        sequential.unix.map((r) => r.latency.p50Ms),
      ),
      c64Speedup: medianRatio(
        c64.unix.map((r) => r.perSecond),
        c64.tcp.map((r) => r.perSecond),
      ),
      cpuSaving: medianRatio(
        c64.tcp.map((r) => r.cpuUsPerTask),
        c64.unix.map((r) => r.cpuUsPerTask),
      ),
      rounds,
      unixLost: {
        sequential: sequential.unix.filter((r, i) =>
          r.latency.p50Ms > sequential.tcp[i].latency.p50Ms
        ).length,
        c64: c64.unix.filter((r, i) =>
          r.perSecond < c64.tcp[i].perSecond
        )
          .length,
      },
    };
  } finally {
    await Promise.all(Object.values(pools).map((pool) => pool.close()));
  }
}

/**
 * The section as a markdown table, and a verdict line: missed when Unix
 * did worse in significantly many paired rounds (see the module doc), in
 * latency or in throughput.
 */
export function renderListenTable(results: ListenResults): string {
  const { unix, tcp, rounds } = results;
  const table = renderTable(
    [
      "trivial task (session, 2 workers)",
      "Unix socket (best round)",
      "TCP loopback (best round)",
      "Unix vs TCP (median of paired rounds; > 1: Unix better)",
    ],
    [
      [
        "sequential p50",
        formatMs(unix.sequential.latency.p50Ms),
        formatMs(tcp.sequential.latency.p50Ms),
        `${results.sequentialSpeedup.toFixed(2)}× (TCP p50 / Unix p50)`,
      ],
      [
        "c64 throughput",
        formatRate(unix.c64.perSecond),
        formatRate(tcp.c64.perSecond),
        `${results.c64Speedup.toFixed(2)}× (Unix rate / TCP rate)`,
      ],
      [
        "c64 CPU per task (caller + workers)",
        `${unix.c64.cpuUsPerTask.toFixed(0)} µs`,
        `${tcp.c64.cpuUsPerTask.toFixed(0)} µs`,
        `${results.cpuSaving.toFixed(2)}× (TCP CPU / Unix CPU)`,
      ],
    ],
    ["left", "right", "right", "right"],
  );
  const { unixLost } = results;
  const slower = unixLost.sequential >= significantLosses(rounds.sequential) ||
    unixLost.c64 >= significantLosses(rounds.c64);
  return `${table}\n\nSecure default (Unix socket) not slower than TCP: ${
    slower ? "missed" : "met"
  } (Unix did worse in ${unixLost.sequential} of ${rounds.sequential} paired sequential rounds and ${unixLost.c64} of ${rounds.c64} at concurrency 64; slower means ${
    significantLosses(rounds.c64)
  } or more of ${rounds.c64}, which a coin does less than 5 % of the time)`;
}
