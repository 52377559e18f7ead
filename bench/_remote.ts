/**
 * Section `remote` of the benchmark: the trivial task on a durable pool
 * that found two standalone workers (`src/worker/main.ts --listen`, on
 * 127.0.0.2 and 127.0.0.3 standing for two hosts) and reaches them over
 * TCP with TLS and a token, next to the pool of two spawned workers (Unix
 * sockets, the default) in the same run. Both pools run at once and are
 * measured in paired rounds (`_paired.ts`), alternating which goes first;
 * the median of the per-round ratios is the comparison.
 *
 * The certificates are made for the run with `openssl` (as the tests make
 * theirs) and removed with the workers at the end.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { staticDiscovery, WorkerPool } from "@wool/core";
import { TestCertificateAuthority } from "../tests/_helpers/certs.ts";
import { RemoteWorkers } from "../tests/_helpers/remote_workers.ts";
import type { Budget } from "./_config.ts";
import {
  type ClosedLoopResult,
  runClosedLoop,
  runSequential,
} from "./_load.ts";
import {
  alternate,
  bestRounds,
  medianRatio,
  type PairedRounds,
  pairedRounds,
  type PairedSide,
} from "./_paired.ts";
import { WORKERS } from "./_pool.ts";
import { formatMs, formatRate, renderTable } from "./_table.ts";

const TASKS = new URL("./fixtures/tasks.ts", import.meta.url).href;
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));
const HOSTS = ["127.0.0.2", "127.0.0.3"] as const;
const TOKEN = "bench-remote-token";
/** Paired rounds at least, whatever the budget. */
const MIN_ROUNDS = 6;

/** The two pools compared. */
type Side = "spawned" | "durable";

/** One pool's best rounds. */
export type RemoteSide = PairedSide<ClosedLoopResult>;

/** The two pools, and how the durable one compares (< 1: slower). */
export interface RemoteResults {
  readonly spawned: RemoteSide;
  readonly durable: RemoteSide;
  /** Median of paired rounds: the durable pool's c64 rate over the spawned one's. */
  readonly c64Ratio: number;
  /** Median of paired rounds: the spawned pool's sequential p50 over the durable one's. */
  readonly sequentialRatio: number;
  readonly rounds: PairedRounds;
}

/** Measures `add(1, 2)` sequentially and at concurrency 64 on both pools. */
export async function measureRemote(budget: Budget): Promise<RemoteResults> {
  await using pki = await TestCertificateAuthority.create("wool bench CA");
  await using workers = await RemoteWorkers.create();
  const found = await Promise.all(
    HOSTS.slice(0, WORKERS).map(async (host) =>
      workers.start({
        host,
        token: TOKEN,
        cert: await pki.server({ ips: [host] }),
      })
    ),
  );
  const pools = {} as Record<Side, WorkerPool>;
  try {
    pools.spawned = await WorkerPool.start({
      spawn: WORKERS,
      worker: { config: CONFIG },
    });
    pools.durable = await WorkerPool.start({
      discovery: staticDiscovery(found.map((worker) => worker.address)),
      credentials: { token: TOKEN, tls: { ca: pki.ca.cert } },
      quorum: found.length,
    });
    const add = (side: Side) => () =>
      pools[side].dispatch({ module: TASKS, export: "add", args: [1, 2] });
    const rounds = pairedRounds(budget, MIN_ROUNDS);
    const sides = ["spawned", "durable"] as const;
    const sequential = await alternate(
      rounds.sequential,
      (side: Side) =>
        runSequential(add(side), { iterations: budget.sequentialIterations }),
      sides,
    );
    const c64 = await alternate(
      rounds.c64,
      (side: Side) =>
        runClosedLoop(add(side), {
          concurrency: 64,
          durationMs: budget.loadMs,
          warmupMs: budget.loadMs / 4,
        }),
      sides,
    );
    return {
      spawned: bestRounds(sequential.spawned, c64.spawned),
      durable: bestRounds(sequential.durable, c64.durable),
      c64Ratio: medianRatio(
        c64.durable.map((r) => r.perSecond),
        c64.spawned.map((r) => r.perSecond),
      ),
      sequentialRatio: medianRatio(
        sequential.spawned.map((r) => r.latency.p50Ms),
        sequential.durable.map((r) => r.latency.p50Ms),
      ),
      rounds,
    };
  } finally {
    await Promise.all(Object.values(pools).map((pool) => pool.close()));
  }
}

/** The section as a markdown table. */
export function renderRemoteTable(results: RemoteResults): string {
  const { spawned, durable } = results;
  return renderTable(
    [
      "trivial task (session, 2 workers)",
      "spawned, Unix sockets (best round)",
      "durable, TCP+TLS to 2 standalone workers (best round)",
      "durable vs spawned (median of paired rounds; < 1: durable slower)",
    ],
    [
      [
        "sequential p50",
        formatMs(spawned.sequential.latency.p50Ms),
        formatMs(durable.sequential.latency.p50Ms),
        `${results.sequentialRatio.toFixed(2)}× (spawned p50 / durable p50)`,
      ],
      [
        "c64 throughput",
        formatRate(spawned.c64.perSecond),
        formatRate(durable.c64.perSecond),
        `${results.c64Ratio.toFixed(2)}× (durable rate / spawned rate)`,
      ],
    ],
    ["left", "right", "right", "right"],
  );
}
