/**
 * Where the latency tail at concurrency 64 comes from. Runs `add(1, 2)` on
 * a pool whose caller and workers all run with `--trace-gc` and an
 * event-loop lag probe (`fixtures/probe.ts`), then finds the run's stalls —
 * gaps of more than `--gap-ms` in which no call completed — and reports how
 * much of that time each process spent in a GC pause, or with its event
 * loop not coming round (the lag probe), or neither; plus each process's
 * run-queue wait (`/proc/…/schedstat`: runnable, but no CPU free).
 *
 *     deno run -A bench/tail.ts                        # 2 workers, 3 × 20,000 calls
 *     deno run -A bench/tail.ts --workers 1 --runs 5
 *     deno run -A bench/tail.ts --v8-flags=--max-semi-space-size=16
 *     deno run -A bench/tail.ts --worker-v8-flags=--max-semi-space-size=16
 *     deno run -A bench/tail.ts --balancer least-in-flight
 *     deno run -A bench/tail.ts --scheduling batch     # workers under SCHED_BATCH
 *
 * `--v8-flags` is passed to the caller and the workers alike (besides
 * `--trace-gc,--expose-gc`), to try a remedy; `--worker-v8-flags` to the
 * workers only (a pool's own flags are its user's, but the workers' are
 * the library's to choose). The caller is a child
 * process of this script, so that its `--trace-gc` output can be read.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { WorkerPool } from "@wool/core";
import {
  balancerFlag,
  balancerNamed,
} from "../tests/_helpers/balancer_flag.ts";
import {
  alignGcEvents,
  coveredMs,
  findStalls,
  type GcEvent,
  lagSpans,
  parseGcLine,
  readRunQueueWaitMs,
  type Span,
  totalMs,
} from "./_tail.ts";
import {
  calibrateGcClock,
  type Calibration,
  type LagSpan,
  startLagProbe,
  stopLagProbe,
} from "./fixtures/probe.ts";
import { percentile } from "./_stats.ts";
import { runTimedCalls } from "./_load.ts";
import { readCpuMs } from "./_proc.ts";
import { readCpuTimes } from "./_environment.ts";
import { renderTable } from "./_table.ts";
import { workerCommand } from "../tests/_helpers/worker_command.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    workers: { type: "string", default: "2" },
    concurrency: { type: "string", default: "64" },
    calls: { type: "string", default: "20000" },
    runs: { type: "string", default: "3" },
    "gap-ms": { type: "string", default: "4" },
    "v8-flags": { type: "string", default: "" },
    "worker-v8-flags": { type: "string", default: "" },
    balancer: { type: "string", default: "round-robin" },
    scheduling: { type: "string", default: "normal" },
    child: { type: "string" },
  },
});
const workers = Number(values.workers);
const concurrency = Number(values.concurrency);
const calls = Number(values.calls);
const runs = Number(values.runs);
const gapMs = Number(values["gap-ms"]);
const balancer = balancerFlag("tail", values.balancer);
if (values.scheduling !== "normal" && values.scheduling !== "batch") {
  throw new TypeError(
    `tail: --scheduling must be "normal" or "batch", received ${values.scheduling}`,
  );
}
const batch = values.scheduling === "batch";
const v8Flags = ["--trace-gc", "--expose-gc", values["v8-flags"]]
  .filter(Boolean).join(",");
const workerV8Flags = [v8Flags, values["worker-v8-flags"]]
  .filter(Boolean).join(",");

const ROOT = new URL("..", import.meta.url);
const CONFIG = fileURLToPath(new URL("deno.json", ROOT));
const TASKS = new URL("./fixtures/tasks.ts", import.meta.url).href;
const PROBE = new URL("./fixtures/probe.ts", import.meta.url).href;

/** What the child measured, written as JSON to the `--child` file. */
interface ChildReport {
  readonly callerPid: number;
  readonly workerPids: number[];
  readonly calibrations: Calibration[];
  readonly lags: LagSpan[];
  readonly starts: number[];
  readonly ends: number[];
  readonly cpuMs: Record<number, number>;
  readonly runQueueWaitMs: Record<number, { all: number; main: number }>;
  /** Tasks each worker ran during the measured runs. */
  readonly tasksByPid: Record<number, number>;
  /** Busy CPU time of the whole machine during the measured runs, in ms. */
  readonly machineBusyMs: number;
}

if (values.child) await child(values.child);
else await parent();

async function child(out: string): Promise<void> {
  await using pool = await WorkerPool.start({
    spawn: workers,
    loadBalancer: balancerNamed(balancer),
    worker: underPolicy(workerCommand(`--v8-flags=${workerV8Flags}`)),
  });
  const add = () =>
    pool.dispatch({ module: TASKS, export: "add", args: [1, 2] });
  const pids = pool.workers.map((w) => w.pid);
  // Calls a probe until every worker has run it once (round robin
  // alternates workers; a bounded number of tries in any case).
  const each = async <T extends number | { pid: number }>(
    name: string,
  ): Promise<T[]> => {
    const results = new Map<number, T>();
    for (let i = 0; results.size < pids.length && i < 100 * pids.length; i++) {
      const result = await pool.dispatch({ module: PROBE, export: name }) as T;
      const pid = typeof result === "number" ? result : result.pid;
      if (!results.has(pid)) results.set(pid, result);
    }
    return [...results.values()];
  };
  await runTimedCalls(add, { concurrency, total: 20_000 });
  const calibrations = [
    calibrateGcClock(),
    ...await each<Calibration>(
      "calibrateGcClock",
    ),
  ];
  await each<number>("startLagProbe");
  startLagProbe();
  const accepted = () => {
    const byId = new Map(pool.stats().workers.map((w) => [w.id, w.accepted]));
    return pool.workers.map((w) => byId.get(w.id) ?? NaN);
  };
  const acceptedBefore = accepted();
  const machineBefore = readCpuTimes().machineBusyMs;
  const cpuBefore = [Deno.pid, ...pids].map(readCpuMs);
  const waitBefore = [Deno.pid, ...pids].map(readRunQueueWaitMs);
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await runTimedCalls(add, { concurrency, total: calls });
    starts.push(...run.starts);
    ends.push(...run.ends);
  }
  const machineBusyMs = readCpuTimes().machineBusyMs - machineBefore;
  const acceptedAfter = accepted();
  const tasksByPid: Record<number, number> = {};
  for (const [i, pid] of pids.entries()) {
    tasksByPid[pid] = acceptedAfter[i] - acceptedBefore[i];
  }
  tasksByPid[Deno.pid] = ends.length;
  const cpuMs: Record<number, number> = {};
  const runQueueWaitMs: Record<number, { all: number; main: number }> = {};
  for (const [i, pid] of [Deno.pid, ...pids].entries()) {
    cpuMs[pid] = readCpuMs(pid) - cpuBefore[i];
    const wait = readRunQueueWaitMs(pid);
    runQueueWaitMs[pid] = {
      all: wait.all - waitBefore[i].all,
      main: wait.main - waitBefore[i].main,
    };
  }
  const lags = [
    stopLagProbe(),
    ...await each<{ pid: number; spans: LagSpan[] }>("stopLagProbe"),
  ].flatMap((probe) => probe.spans);
  const report: ChildReport = {
    callerPid: Deno.pid,
    workerPids: pids,
    calibrations,
    lags,
    starts,
    ends,
    cpuMs,
    runQueueWaitMs,
    tasksByPid,
    machineBusyMs,
  };
  await Deno.writeTextFile(out, JSON.stringify(report));
}

async function parent(): Promise<void> {
  const out = await Deno.makeTempFile({ prefix: "wool-tail-" });
  try {
    // V8 prints `--trace-gc` with C stdio, fully buffered into a pipe, so
    // its lines would interleave mid-line with the workers' lines the
    // caller relays; `stdbuf -oL` makes it write whole lines.
    const lineBuffered = await hasStdbuf();
    const output = await new Deno.Command(
      lineBuffered ? "stdbuf" : Deno.execPath(),
      {
        args: [
          ...(lineBuffered ? ["-oL", Deno.execPath()] : []),
          "run",
          "-A",
          `--v8-flags=${v8Flags}`,
          "--config",
          CONFIG,
          fileURLToPath(import.meta.url),
          `--child=${out}`,
          `--workers=${workers}`,
          `--concurrency=${concurrency}`,
          `--calls=${calls}`,
          `--runs=${runs}`,
          `--v8-flags=${values["v8-flags"]}`,
          `--worker-v8-flags=${values["worker-v8-flags"]}`,
          `--balancer=${balancer}`,
          `--scheduling=${values.scheduling}`,
        ],
        stdout: "piped",
        stderr: "inherit",
      },
    ).output();
    if (!output.success) {
      console.error(`tail: the measured run failed (exit ${output.code})`);
      Deno.exit(1);
    }
    const events = new TextDecoder().decode(output.stdout).split("\n")
      .map(parseGcLine).filter((e): e is GcEvent => e !== undefined);
    const report = JSON.parse(await Deno.readTextFile(out)) as ChildReport;
    print(report, events);
  } finally {
    await Deno.remove(out);
  }
}

async function hasStdbuf(): Promise<boolean> {
  try {
    const probe = await new Deno.Command("stdbuf", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return probe.success;
  } catch {
    return false;
  }
}

function print(report: ChildReport, events: GcEvent[]): void {
  const { starts, ends } = report;
  const latencies = ends.map((end, i) => end - starts[i]);
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  const first = Math.min(...starts);
  const last = Math.max(...ends);
  const elapsed = last - first;
  const inRun = (s: Span) => s.endMs > first && s.startMs < last;
  const pauses = alignGcEvents(events, report.calibrations).filter(inRun);
  const lags = lagSpans(report.lags).filter(inRun);
  const stalls = findStalls(ends, gapMs);
  const stallMs = stalls.reduce((sum, s) => sum + s.endMs - s.startMs, 0);
  const tasks = ends.length;
  console.log(
    `# Tail: add(1, 2), ${report.workerPids.length} workers, concurrency ${concurrency}, ${runs} × ${calls} calls${
      values["v8-flags"] ? `, --v8-flags=${values["v8-flags"]}` : ""
    }${
      values["worker-v8-flags"]
        ? `, workers --v8-flags=${values["worker-v8-flags"]}`
        : ""
    }\n`,
  );
  console.log(
    `${(tasks / elapsed).toFixed(1)}k tasks/s; p50 ${p50.toFixed(2)} ms, p99 ${
      p99.toFixed(2)
    } ms (${
      (p99 / p50).toFixed(1)
    }× p50); ${stalls.length} stalls (no call completed for > ${gapMs} ms) took ${
      stallMs.toFixed(0)
    } ms of the ${elapsed.toFixed(0)} ms run (${
      (100 * stallMs / elapsed).toFixed(0)
    }%). The machine's ${navigator.hardwareConcurrency} CPUs were ${
      (100 * report.machineBusyMs / (elapsed * navigator.hardwareConcurrency))
        .toFixed(0)
    }% busy.\n`,
  );
  const slow = latencies.map((l, i) => [l, i] as const).filter(([l]) =>
    l > 4 * p50
  );
  const hitByStall = slow.filter(([, i]) =>
    stalls.some((s) => s.startMs < ends[i] && s.endMs > starts[i])
  );
  console.log(
    `${slow.length} calls took more than 4× p50; ${hitByStall.length} of them (${
      (100 * hitByStall.length / Math.max(1, slow.length)).toFixed(0)
    }%) spanned a stall.\n`,
  );
  const pct = (ms: number) =>
    `${(100 * ms / Math.max(stallMs, 1e-9)).toFixed(0)}%`;
  const roles = [
    ["caller", report.callerPid] as const,
    ...report.workerPids.map((pid, i) => [`worker ${i + 1}`, pid] as const),
  ];
  const rows = roles.map(([role, pid]) => {
    const gc = pauses.filter((p) => p.pid === pid);
    const lag = lags.filter((l) => l.pid === pid);
    const scavenges = gc.filter((p) => p.kind.startsWith("Scavenge"));
    const wait = report.runQueueWaitMs[pid];
    return [
      `${role} (pid ${pid})`,
      `${(report.cpuMs[pid] * 1000 / report.tasksByPid[pid]).toFixed(1)} µs`,
      `${gc.length} (${scavenges.length} scavenges), ${
        totalMs(gc).toFixed(0)
      } ms, max ${Math.max(0, ...gc.map((p) => p.pauseMs)).toFixed(1)} ms`,
      pct(coveredMs(stalls, gc)),
      `${lag.length}, ${totalMs(lag).toFixed(0)} ms`,
      pct(coveredMs(stalls, lag)),
      `${wait.main.toFixed(0)} ms (all threads ${wait.all.toFixed(0)} ms)`,
    ];
  });
  console.log(renderTable(
    [
      "Process",
      "CPU per task it ran",
      "GC pauses",
      "Stall time in its GC",
      "Loop lag > 2 ms",
      "Stall time its loop lagged",
      "Run-queue wait, main thread",
    ],
    rows,
    ["left", "right", "left", "right", "left", "right", "left"],
  ));
  const anyGc = coveredMs(stalls, pauses);
  const anyLag = coveredMs(stalls, [...lags, ...pauses]);
  console.log(
    `\nStall time: ${pct(anyGc)} inside some process's GC pause; ${
      pct(anyLag)
    } inside a GC pause or a lagging loop; ${
      pct(stallMs - anyLag)
    } with every process's loop on time.`,
  );
}

/**
 * The worker command, through `chrt --batch 0` with `--scheduling batch`
 * (what `worker.schedulingPolicy: "batch"` does for the default launch).
 */
function underPolicy(
  launch: { readonly command: string; readonly args: string[] },
): { readonly command: string; readonly args: string[] } {
  return batch
    ? {
      command: "chrt",
      args: ["--batch", "0", launch.command, ...launch.args],
    }
    : launch;
}
