/**
 * Section `telemetry` of the benchmark: the cost of wool's OpenTelemetry
 * spans and metrics on the trivial task (session transport, 2 workers).
 *
 * - off: no SDK registered anywhere, the default: wool's telemetry is a
 *   shared no-op object per call and per task;
 * - on: the real SDK registered in the caller and in every worker
 *   (`fixtures/sdk_preload.ts`), sampling every span (three per call: the
 *   call, its attempt, the task) and recording every metric, the spans
 *   batched and dropped (`fixtures/dropping_sdk.ts`), so an exporter's
 *   network time is not counted.
 *
 * The two pools run at once and are measured in paired rounds, each side
 * first in every other round (as `_listen.ts` does); the caller's SDK is
 * registered for the "on" rounds only. The ratios are medians of the
 * rounds' ratios, on / off: latency, throughput and CPU per task (caller
 * plus workers).
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
} from "./_paired.ts";
import { WORKERS } from "./_pool.ts";
import { formatMs, formatRate, renderTable } from "./_table.ts";
import { registerDroppingSdk } from "./fixtures/dropping_sdk.ts";
import { preloadedWorker } from "../tests/_helpers/worker_command.ts";

const TASKS = new URL("./fixtures/tasks.ts", import.meta.url).href;
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));
const SDK_PRELOAD = new URL("./fixtures/sdk_preload.ts", import.meta.url);

/** Telemetry off (no SDK) or on (SDK registered, sampling all). */
export type Tracing = "off" | "on";

/** Both sides, and what tracing costs (on / off, > 1: on costs more). */
export interface TelemetryResults {
  readonly off: PairedSide;
  readonly on: PairedSide;
  /** Median of paired rounds: on's sequential p50 over off's. */
  readonly sequentialCost: number;
  /** Median of paired rounds: off's c64 rate over on's. */
  readonly c64Cost: number;
  /** Median of paired rounds: on's CPU per task over off's. */
  readonly cpuCost: number;
  /** Paired rounds behind each ratio. */
  readonly rounds: PairedRounds;
}

const MIN_ROUNDS = 4;

/** Measures `add(1, 2)` sequentially and at concurrency 64, off and on. */
export async function measureTelemetry(
  budget: Budget,
): Promise<TelemetryResults> {
  const pools = {} as Record<Tracing, WorkerPool>;
  let unregister: (() => Promise<void>) | undefined;
  /** The caller's SDK is registered exactly while `side` is "on". */
  const tracing = async (side: Tracing) => {
    if (side === "on" && unregister === undefined) {
      unregister = registerDroppingSdk();
    } else if (side === "off" && unregister !== undefined) {
      await unregister();
      unregister = undefined;
    }
  };
  try {
    pools.off = await WorkerPool.start({
      spawn: WORKERS,
      worker: { config: CONFIG },
    });
    pools.on = await WorkerPool.start({
      spawn: WORKERS,
      worker: preloadedWorker(SDK_PRELOAD),
    });
    const add = (side: Tracing) => () =>
      pools[side].dispatch({ module: TASKS, export: "add", args: [1, 2] });
    const rounds = pairedRounds(budget, MIN_ROUNDS);
    const sides: [Tracing, Tracing] = ["off", "on"];
    const sequential = await alternate(rounds.sequential, async (side) => {
      await tracing(side);
      return await runSequential(add(side), {
        iterations: budget.sequentialIterations,
      });
    }, sides);
    for (const side of sides) {
      await tracing(side);
      await runClosedLoop(add(side), {
        concurrency: 64,
        durationMs: budget.loadMs / 4,
        warmupMs: 0,
      });
    }
    const c64 = await alternate(rounds.c64, async (side) => {
      await tracing(side);
      return await loadRound(pools[side], add(side), budget.loadMs);
    }, sides);
    return {
      off: bestRounds(sequential.off, c64.off),
      on: bestRounds(sequential.on, c64.on),
      sequentialCost: medianRatio(
        sequential.on.map((r) => r.latency.p50Ms),
        sequential.off.map((r) => r.latency.p50Ms),
      ),
      c64Cost: medianRatio(
        c64.off.map((r) => r.perSecond),
        c64.on.map((r) => r.perSecond),
      ),
      cpuCost: medianRatio(
        c64.on.map((r) => r.cpuUsPerTask),
        c64.off.map((r) => r.cpuUsPerTask),
      ),
      rounds,
    };
  } finally {
    await tracing("off");
    await Promise.all(Object.values(pools).map((pool) => pool.close()));
  }
}

/** The section as a markdown table. */
export function renderTelemetryTable(results: TelemetryResults): string {
  const { off, on, rounds } = results;
  return renderTable(
    [
      "trivial task (session, 2 workers)",
      "tracing off: no SDK (best round)",
      "tracing on: SDK, all sampled (best round)",
      `on vs off (median of ${rounds.c64} paired rounds; > 1: on costs more)`,
    ],
    [
      [
        "sequential p50",
        formatMs(off.sequential.latency.p50Ms),
        formatMs(on.sequential.latency.p50Ms),
        `${results.sequentialCost.toFixed(2)}× (on p50 / off p50)`,
      ],
      [
        "c64 throughput",
        formatRate(off.c64.perSecond),
        formatRate(on.c64.perSecond),
        `${results.c64Cost.toFixed(2)}× (off rate / on rate)`,
      ],
      [
        "c64 CPU per task (caller + workers)",
        `${off.c64.cpuUsPerTask.toFixed(0)} µs`,
        `${on.c64.cpuUsPerTask.toFixed(0)} µs`,
        `${results.cpuCost.toFixed(2)}× (on CPU / off CPU)`,
      ],
    ],
    ["left", "right", "right", "right"],
  );
}
