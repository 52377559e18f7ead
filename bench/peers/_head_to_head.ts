/**
 * The head-to-head protocol of issue 11: our pool against Piscina (worker
 * threads), alternating — pool, Piscina, pool, Piscina, pool, Piscina — so
 * that drift in the machine's load hits both alike. Each run is a process
 * of its own (`_wool_run.ts` under Deno, `peers.mjs` under Node) that
 * starts a pool of `workers`, makes a warm-up of `warmup` calls, then
 * exactly `calls` calls of `add(1, 2)` at `concurrency` (through
 * `pool.remote` for ours, `pool.run` for Piscina), and the figure is that
 * batch's rate. (Ours once ran in the bench's own process, warmer with
 * every run, while each of Piscina's started cold: the pairs' ratios rose
 * run by run, 0.85–0.93× in the first, 1.11–1.20× in the third.) The result
 * is the median rate of each, the ratio of the medians, and the ratio of
 * each pair of runs. The host is probed before each run and after the last
 * (`../_host_probe.ts`): a host that slows during one pool's run and not
 * the other's tilts that pair.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { BalancerName } from "../../tests/_helpers/balancer_flag.ts";
import type { LoadResult } from "../_load.ts";
import { median } from "../_stats.ts";
import {
  CacheWalk,
  type HostProbe,
  probeHost,
  WALK_BYTES,
} from "../_host_probe.ts";
import { runWoolInOwnProcess } from "./_wool_run.ts";

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
  /**
   * The host's speed before each run and after the last
   * (`../_host_probe.ts`); absent from older results.
   */
  readonly hostProbes?: readonly HostProbe[];
}

/** Runs the alternating protocol; needs `node` and the installed peers. */
export async function runHeadToHead(
  options: HeadToHeadOptions,
  log: (line: string) => void = () => {},
): Promise<HeadToHeadResult> {
  const wool: HeadToHeadRun[] = [];
  const piscina: HeadToHeadRun[] = [];
  let piscinaVersion = "";
  const walk = new CacheWalk(WALK_BYTES);
  const hostProbes: HostProbe[] = [];
  for (let i = 0; i < options.runs; i++) {
    hostProbes.push(probeHost(`before @wool/core run ${i + 1}`, walk));
    wool.push(await runWoolInOwnProcess(options));
    log(`  @wool/core run ${i + 1}: ${wool[i].perSecond.toFixed(0)} tasks/s`);
    hostProbes.push(probeHost(`before piscina run ${i + 1}`, walk));
    const peer = await runPiscina(options);
    piscina.push(peer.run);
    piscinaVersion = peer.version;
    log(`  piscina run ${i + 1}: ${piscina[i].perSecond.toFixed(0)} tasks/s`);
  }
  hostProbes.push(probeHost("after the last run", walk));
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
    hostProbes,
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
