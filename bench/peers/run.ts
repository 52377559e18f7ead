/**
 * `deno task bench:peers`: first the head-to-head protocol of issue 11
 * (`_head_to_head.ts`: pool, Piscina, pool, Piscina, pool, Piscina, each a
 * fresh pool making 20,000 `add(1, 2)` calls at concurrency 64; the median
 * of each, the ratio of the medians and the three pair ratios; with 2 and
 * then 4 workers), then the trivial-task (concurrency 1, 64, 256) and
 * rejection benchmarks of `deno task bench` on two peer pools, Piscina
 * (worker threads) and workerpool (child processes), two workers each, run
 * under Node, next to @wool/core measured the same way in the same run.
 * Prints markdown tables and writes `bench/results/peers-<timestamp>.json`
 * and `bench/results/peers-latest.json`.
 *
 *     deno task bench:peers                  # about two minutes
 *     deno task bench:peers --quick          # a short smoke run (noisier)
 *     deno task bench:peers --head-to-head   # the alternating protocol only
 *     deno task bench:peers --head-to-head --warmup 20000  # the rate before full speed
 *     deno task bench:peers --head-to-head --balancer least-in-flight
 *     deno task bench:peers --head-to-head --scheduling batch  # workers under SCHED_BATCH
 *
 * Needs `node` (and `npm`, the first time) on PATH; without them it says
 * so and exits 0. The peers are installed from `bench/peers/package.json`
 * and its lockfile with `npm install --prefix bench/peers` when missing.
 * What "rejection" means for each peer is in `peers.mjs`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { WorkerPool } from "@wool/core";
import { FULL_BUDGET, QUICK_BUDGET } from "../_config.ts";
import {
  describeMachine,
  foreignCpuShare,
  readCpuTimes,
  readEnvironment,
} from "../_environment.ts";
import type { ClosedLoopResult, LoadResult } from "../_load.ts";
import { measureRejection, measureTrivial } from "../_pool.ts";
import { formatMs, formatRate, formatRatio, renderTable } from "../_table.ts";
import { median } from "../_stats.ts";
import { describeHost } from "../_host_probe.ts";
import { type HeadToHeadResult, runHeadToHead } from "./_head_to_head.ts";
import { balancerFlag } from "../../tests/_helpers/balancer_flag.ts";

const PEERS_DIR = new URL("./", import.meta.url);
const RESULTS_DIR = new URL("../results/", import.meta.url);
const TASKS = new URL("../fixtures/tasks.ts", import.meta.url).href;
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** One pool's figures, as the table shows them. */
interface PeerFigures {
  readonly name: string;
  readonly version: string;
  readonly mode: string;
  readonly readyMs: number;
  readonly trivial: {
    readonly sequential: LoadResult;
    readonly c64: ClosedLoopResult;
    readonly c256: ClosedLoopResult;
  };
  readonly rejection: {
    readonly sequential: LoadResult;
    readonly c64: ClosedLoopResult;
  };
  readonly rejectionAnalogue: string;
}

interface NodeReport {
  readonly node: string;
  readonly cpus: number;
  readonly peers: PeerFigures[];
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    "head-to-head": { type: "boolean", default: false },
    balancer: { type: "string", default: "round-robin" },
    scheduling: { type: "string", default: "normal" },
    warmup: { type: "string" },
  },
});
const balancer = balancerFlag("bench:peers", values.balancer);
if (values.scheduling !== "normal" && values.scheduling !== "batch") {
  console.error(
    `bench:peers: --scheduling must be "normal" or "batch", received ${values.scheduling}`,
  );
  Deno.exit(2);
}
const scheduling: "normal" | "batch" = values.scheduling;
/**
 * Calls per head-to-head run, and the warm-up before them. Each side's
 * every run is a fresh process, and ours reaches full speed late: in
 * fresh processes (03:53–03:58 UTC, 2 workers, 3 pairs each), ours over
 * Piscina's was 0.82–0.95× after 2,000 warm-up calls, 1.03–1.19× after
 * 20,000, and 1.43–1.64× after 100,000, where Piscina was as fast as
 * after 20,000. The default measures both at full speed; `--warmup 20000`
 * shows the early rate.
 */
const HEAD_TO_HEAD_CALLS = values.quick ? 5_000 : 20_000;
const HEAD_TO_HEAD_WARMUP = values.warmup === undefined
  ? (values.quick ? 1_000 : 100_000)
  : Number(values.warmup);
if (!Number.isInteger(HEAD_TO_HEAD_WARMUP) || HEAD_TO_HEAD_WARMUP < 0) {
  console.error(
    `bench:peers: --warmup must be a whole number of calls, received ${values.warmup}`,
  );
  Deno.exit(2);
}
const budget = values.quick ? QUICK_BUDGET : FULL_BUDGET;

const node = await versionOf("node");
if (node === undefined) {
  console.log(
    "bench:peers: skipped: `node` is not on PATH. Piscina and workerpool are Node libraries; install Node ≥ 20 to compare with them.",
  );
  Deno.exit(0);
}
if (!await installed()) {
  if (await versionOf("npm") === undefined) {
    console.log(
      "bench:peers: skipped: the peers are not installed and `npm` is not on PATH to install them (npm install --prefix bench/peers).",
    );
    Deno.exit(0);
  }
  console.error("bench:peers: npm install --prefix bench/peers …");
  const npm = await new Deno.Command("npm", {
    args: [
      "install",
      "--prefix",
      fileURLToPath(PEERS_DIR),
      "--no-audit",
      "--no-fund",
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!npm.success) {
    console.error("bench:peers: npm install failed");
    Deno.exit(1);
  }
}

const startedAt = new Date();
const cpuAtStart = readCpuTimes();
const environment = await readEnvironment();
console.error(
  `bench:peers: ${describeMachine(environment)}; Node ${node}${
    values.quick ? "; --quick" : ""
  }`,
);
const headToHead: HeadToHeadResult[] = [];
for (const workers of [2, 4]) {
  console.error(
    `bench:peers: head to head, ${workers} workers: pool, Piscina × 3, alternating…`,
  );
  headToHead.push(
    await runHeadToHead({
      workers,
      concurrency: 64,
      calls: HEAD_TO_HEAD_CALLS,
      warmup: HEAD_TO_HEAD_WARMUP,
      runs: 3,
      balancer,
      scheduling,
    }, (line) => console.error(line)),
  );
}
console.log(renderHeadToHead(headToHead));
if (values["head-to-head"]) {
  await writeResults({ headToHead });
  Deno.exit(0);
}

console.error("bench:peers: Piscina and workerpool under Node…");
const output = await new Deno.Command("node", {
  args: [
    fileURLToPath(new URL("peers.mjs", PEERS_DIR)),
    JSON.stringify({
      sequentialIterations: budget.sequentialIterations,
      sequentialRounds: budget.sequentialRounds,
      loadMs: budget.loadMs,
      rounds: budget.rounds,
    }),
  ],
  stdout: "piped",
  stderr: "inherit",
}).output();
if (!output.success) {
  console.error(`bench:peers: node peers.mjs failed (exit ${output.code})`);
  Deno.exit(1);
}
const report = JSON.parse(
  new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!,
) as NodeReport;

console.error("bench:peers: @wool/core (session transport)…");
const wool = await measureWool();
const figures = [wool, ...report.peers];

console.log(renderTable(
  [
    "Pool (2 workers)",
    "Concurrency 1",
    "Concurrency 64",
    "Concurrency 256",
    "Rejected, concurrency 1",
    "Rejected, concurrency 64",
    "Start → ready",
  ],
  figures.map((f) => [
    `${f.name} ${f.version} (${f.mode})`,
    `p50 ${formatMs(f.trivial.sequential.latency.p50Ms)} · p99 ${
      formatMs(f.trivial.sequential.latency.p99Ms)
    }`,
    formatRate(f.trivial.c64.perSecond),
    formatRate(f.trivial.c256.perSecond),
    `p50 ${formatMs(f.rejection.sequential.latency.p50Ms)}`,
    formatRate(f.rejection.c64.perSecond, "calls/s"),
    formatMs(f.readyMs),
  ]),
  ["left", "left", "right", "right", "left", "right", "right"],
));
console.log(
  `\nRejection: ${
    figures.map((f) => `${f.name}: ${f.rejectionAnalogue}`).join("; ")
  }.`,
);
// Every child has been waited for: the rest of the machine's CPU was others'.
const foreign = foreignCpuShare(
  cpuAtStart,
  readCpuTimes(),
  Date.now() - startedAt.getTime(),
  environment.cpus,
);
console.log(
  `${
    describeMachine(environment)
  }; Node ${report.node}; ${startedAt.toISOString()}; other processes used ${
    (foreign * 100).toFixed(0)
  }% of the CPU meanwhile.`,
);

await writeResults({ headToHead, pools: figures });

/** @wool/core measured as the peers are, on the session transport. */
async function measureWool(): Promise<PeerFigures> {
  const t0 = performance.now();
  {
    await using pool = await WorkerPool.start({
      spawn: 2,
      worker: { config: CONFIG },
    });
    await Promise.all(
      [1, 2].map(() =>
        pool.dispatch({ module: TASKS, export: "add", args: [1, 2] })
      ),
    );
  }
  const readyMs = performance.now() - t0;
  const trivial = await measureTrivial("session", budget);
  const rejection = await measureRejection("session", budget);
  const version = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  ).version as string;
  return {
    name: "@wool/core",
    version,
    mode: "processes, gRPC session",
    readyMs,
    trivial: {
      sequential: trivial.sequential,
      c64: trivial.c64,
      c256: trivial.c256,
    },
    rejection: rejection.rejected,
    rejectionAnalogue:
      "every worker's admission hook rejects (a round trip to each of the 2 workers, then NoWorkersAvailable)",
  };
}

async function installed(): Promise<boolean> {
  for (const name of ["piscina", "workerpool"]) {
    try {
      await Deno.stat(new URL(`node_modules/${name}/package.json`, PEERS_DIR));
    } catch {
      return false;
    }
  }
  return true;
}

async function versionOf(command: string): Promise<string | undefined> {
  try {
    const result = await new Deno.Command(command, {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return result.success
      ? new TextDecoder().decode(result.stdout).trim()
      : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `peers-<timestamp>.json` and `peers-latest.json`. */
async function writeResults(measured: {
  readonly headToHead: readonly HeadToHeadResult[];
  readonly pools?: readonly PeerFigures[];
}): Promise<void> {
  await Deno.mkdir(RESULTS_DIR, { recursive: true });
  const foreign = foreignCpuShare(
    cpuAtStart,
    readCpuTimes(),
    Date.now() - startedAt.getTime(),
    environment.cpus,
  );
  const json = JSON.stringify(
    {
      schema: 2,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      quick: values.quick,
      environment: {
        ...environment,
        node,
        loadAverageAtEnd: Deno.loadavg(),
      },
      budget,
      foreignCpuShare: foreign,
      ...measured,
    },
    (_key, value) =>
      typeof value === "number" && !Number.isInteger(value)
        ? (Number.isFinite(value) ? Number(value.toPrecision(4)) : null)
        : value,
    2,
  ) + "\n";
  const stamp = startedAt.toISOString().replaceAll(":", "-").replace(
    /\.\d+Z$/,
    "Z",
  );
  await Deno.writeTextFile(new URL(`peers-${stamp}.json`, RESULTS_DIR), json);
  await Deno.writeTextFile(new URL("peers-latest.json", RESULTS_DIR), json);
  console.log(
    `\nWrote bench/results/peers-${stamp}.json and bench/results/peers-latest.json`,
  );
}

/** The head-to-head table: medians, their ratio, the pair ratios, CPU. */
function renderHeadToHead(results: readonly HeadToHeadResult[]): string {
  const us = (value: number | undefined) =>
    value === undefined || !Number.isFinite(value)
      ? "n/a"
      : `${value.toFixed(0)} µs`;
  const table = renderTable(
    [
      "Workers",
      "@wool/core (median of 3), balancer",
      "Piscina (median of 3)",
      "Ratio of medians",
      "Pair ratios",
      "p50 · p99 (ours)",
      "p99 / p50 (median of 3): ours · Piscina",
      "CPU per task: ours (caller, workers) · Piscina",
    ],
    results.map((r) => {
      const mid = [...r.wool].sort((a, b) => a.perSecond - b.perSecond)[1] ??
        r.wool[0];
      const cpu = (runs: readonly { cpuUsPerTask: number }[]) =>
        us(median(runs.map((x) => x.cpuUsPerTask)));
      const tail = (runs: readonly LoadResult[]) =>
        formatRatio(
          median(runs.map((x) => x.latency.p99Ms / x.latency.p50Ms)),
        );
      return [
        String(r.options.workers),
        `${formatRate(r.woolMedianPerSecond)}, ${
          r.options.balancer ?? "round-robin"
        }${r.options.scheduling === "batch" ? ", SCHED_BATCH" : ""}`,
        formatRate(r.piscinaMedianPerSecond),
        formatRatio(r.medianRatio),
        r.pairRatios.map((x) => x.toFixed(2)).join(", "),
        `${formatMs(mid.latency.p50Ms)} · ${formatMs(mid.latency.p99Ms)}`,
        `${tail(r.wool)} · ${tail(r.piscina)}`,
        `${cpu(r.wool)} (${us(mid.callerCpuUsPerTask)}, ${
          (mid.workerCpuUsPerTask ?? []).map(us).join(" + ")
        }) · ${cpu(r.piscina)}`,
      ];
    }),
    ["right", "right", "right", "right", "left", "left", "left", "left"],
  );
  const { calls, warmup, concurrency } = results[0].options;
  const host = results.flatMap((r) =>
    r.hostProbes
      ? describeHost(r.hostProbes).map((line) =>
        `${r.options.workers} workers: ${line}`
      )
      : []
  );
  return `${table}\n\n${
    host.length > 0 ? `${host.join("\n")}\n\n` : ""
  }Head to head: ${calls} add(1, 2) calls at concurrency ${concurrency} per run (after ${warmup} unmeasured), a fresh pool per run, alternating @wool/core (pool.remote) and Piscina ${
    results[0].piscinaVersion
  } (pool.run); ratios are ours over Piscina's. CPU per task: every process (ours: caller + workers) or thread (Piscina), user + system.\n`;
}
