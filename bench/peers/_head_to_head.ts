/**
 * The head-to-head protocol of issue 11: our pool against Piscina (worker
 * threads), alternating — pool, Piscina, pool, Piscina, pool, Piscina — so
 * that drift in the machine's load hits both alike. Each run starts a fresh
 * pool of `workers`, makes a warm-up of `warmup` calls, then exactly `calls`
 * calls of `add(1, 2)` at `concurrency` (through `pool.remote` for ours,
 * `pool.run` for Piscina), and the figure is that batch's rate. The result
 * is the median rate of each, the ratio of the medians, and the ratio of
 * each pair of runs.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { WorkerPool } from "@wool/core";
import {
  type BalancerName,
  balancerNamed,
} from "../../tests/_helpers/balancer_flag.ts";
import { type LoadResult, runFixedCount } from "../_load.ts";
import { readCpuMs } from "../_proc.ts";
import { median } from "../_stats.ts";

const TASKS = new URL("../fixtures/tasks.ts", import.meta.url).href;
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));
const PEERS_SCRIPT = fileURLToPath(new URL("peers.mjs", import.meta.url));

/** The shape of one head-to-head comparison. */
export interface HeadToHeadOptions {
  readonly workers: number;
  readonly concurrency: number;
  /** Calls measured per run. */
  readonly calls: number;
  /** Calls made first in each run, not measured. */
  readonly warmup: number;
  /** Runs of each pool, alternating. */
  readonly runs: number;
  /** Our pool's load balancer (Piscina hands tasks to its least busy thread). */
  readonly balancer: BalancerName;
  /**
   * How our workers are scheduled (`worker.schedulingPolicy`); absent from
   * older results: `"normal"`.
   */
  readonly scheduling?: "normal" | "batch";
}

/** One measured run of one pool. */
export interface HeadToHeadRun extends LoadResult {
  /** CPU time of every process (or thread) of the pool, per task, in µs. */
  readonly cpuUsPerTask: number;
  /** Ours only: the caller's CPU per task, and each worker's, in µs. */
  readonly callerCpuUsPerTask?: number;
  readonly workerCpuUsPerTask?: readonly number[];
}

/** The comparison: every run of each, and the ratios. */
export interface HeadToHeadResult {
  readonly options: HeadToHeadOptions;
  readonly wool: readonly HeadToHeadRun[];
  readonly piscina: readonly HeadToHeadRun[];
  readonly piscinaVersion: string;
  readonly woolMedianPerSecond: number;
  readonly piscinaMedianPerSecond: number;
  /** Median of ours over median of Piscina's. */
  readonly medianRatio: number;
  /** Ours over Piscina's, run by run (the i-th of each). */
  readonly pairRatios: readonly number[];
}

/** Runs the alternating protocol; needs `node` and the installed peers. */
export async function runHeadToHead(
  options: HeadToHeadOptions,
  log: (line: string) => void = () => {},
): Promise<HeadToHeadResult> {
  const wool: HeadToHeadRun[] = [];
  const piscina: HeadToHeadRun[] = [];
  let piscinaVersion = "";
  for (let i = 0; i < options.runs; i++) {
    wool.push(await runWool(options));
    log(`  @wool/core run ${i + 1}: ${wool[i].perSecond.toFixed(0)} tasks/s`);
    const peer = await runPiscina(options);
    piscina.push(peer.run);
    piscinaVersion = peer.version;
    log(`  piscina run ${i + 1}: ${piscina[i].perSecond.toFixed(0)} tasks/s`);
  }
  const woolMedian = median(wool.map((r) => r.perSecond));
  const piscinaMedian = median(piscina.map((r) => r.perSecond));
  return {
    options,
    wool,
    piscina,
    piscinaVersion,
    woolMedianPerSecond: woolMedian,
    piscinaMedianPerSecond: piscinaMedian,
    medianRatio: woolMedian / piscinaMedian,
    pairRatios: wool.map((r, i) => r.perSecond / piscina[i].perSecond),
  };
}

async function runWool(options: HeadToHeadOptions): Promise<HeadToHeadRun> {
  await using pool = await WorkerPool.start({
    spawn: options.workers,
    worker: {
      config: CONFIG,
      ...(options.scheduling === "batch" ? { schedulingPolicy: "batch" } : {}),
    },
    loadBalancer: balancerNamed(options.balancer),
  });
  const tasks = pool.remote<typeof import("../fixtures/tasks.ts")>(TASKS);
  const add = () => tasks.add(1, 2);
  await runFixedCount(add, {
    concurrency: options.concurrency,
    total: options.warmup,
  });
  const workers = pool.workers;
  const accepted = () => {
    const byId = new Map(pool.stats().workers.map((w) => [w.id, w.accepted]));
    return workers.map((w) => byId.get(w.id) ?? NaN);
  };
  const callerBefore = readCpuMs("self");
  const cpuBefore = workers.map((w) => readCpuMs(w.pid));
  const acceptedBefore = accepted();
  const result = await runFixedCount(add, {
    concurrency: options.concurrency,
    total: options.calls,
  });
  const callerMs = readCpuMs("self") - callerBefore;
  const cpuMs = workers.map((w, i) => readCpuMs(w.pid) - cpuBefore[i]);
  const ran = accepted().map((n, i) => n - acceptedBefore[i]);
  const totalMs = callerMs + cpuMs.reduce((a, b) => a + b, 0);
  return {
    ...result,
    cpuUsPerTask: (totalMs * 1000) / result.completed,
    callerCpuUsPerTask: (callerMs * 1000) / result.completed,
    // Each worker's CPU over the tasks it ran.
    workerCpuUsPerTask: cpuMs.map((ms, i) => (ms * 1000) / ran[i]),
  };
}

async function runPiscina(
  options: HeadToHeadOptions,
): Promise<{ run: HeadToHeadRun; version: string }> {
  const output = await new Deno.Command("node", {
    args: [
      PEERS_SCRIPT,
      JSON.stringify({
        mode: "piscina-run",
        workers: options.workers,
        concurrency: options.concurrency,
        calls: options.calls,
        warmup: options.warmup,
      }),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) {
    throw new Error(
      `node peers.mjs (piscina-run) failed (exit ${output.code})`,
    );
  }
  const report = JSON.parse(
    new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!,
  ) as { version: string; run: LoadResult & { cpuMs: number } };
  const { cpuMs, ...run } = report.run;
  return {
    version: report.version,
    run: { ...run, cpuUsPerTask: (cpuMs * 1000) / run.completed },
  };
}
