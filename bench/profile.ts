/**
 * CPU profiles of the trivial-task benchmark, caller and workers, with
 * V8's sampling profiler (`deno run --cpu-prof`). Prints, for each
 * process, its busy time per task, where the time goes (self time grouped
 * by what it is spent on: GC, values, frames, socket writes, …; see
 * `categoryOf` in `_cpuprofile.ts`) and the top self-time packages and
 * functions.
 *
 *     deno run -A bench/profile.ts                          # pool, session, concurrency 64, 5 s
 *     deno run -A bench/profile.ts --transport dispatch --concurrency 1
 *     deno run -A bench/profile.ts --target floor           # the grpc-js floor, same load
 *     deno run -A bench/profile.ts --dir /tmp/prof          # keep the .cpuprofile files there
 *     deno run -A bench/profile.ts --cpu-only               # CPU per task only, no profiler
 *     deno run -A bench/profile.ts --telemetry              # with the OpenTelemetry SDK on
 *
 * `--target pool` runs `add(1, 2)` on a 2-worker pool whose workers are
 * launched with `worker: { command: Deno.execPath(), args: ["run", "-A",
 * "--cpu-prof-dir=…", …, "src/worker/main.ts"] }`. `--target floor` runs
 * the same load on the floor (`floor/server.ts`): one long-lived stream
 * answering each task with ack + result (`--transport session`), or a
 * stream per task (`--transport dispatch`). Comparing the two per task
 * shows what the pool adds. `--telemetry` (pool only) registers the
 * OpenTelemetry SDK of the bench's `telemetry` section, sampling every span
 * and dropping it (`fixtures/dropping_sdk.ts`), in the caller and, through
 * `--preload`, in every worker. The caller is a child `deno run --cpu-prof` of
 * this script. Profiles open in Chrome DevTools (Performance → Load
 * profile) as flame charts.
 *
 * Two figures per process: its CPU time per task (user + system, from
 * `/proc`), and the profile's busy time per task. For the caller also the
 * bytes its V8 heap allocated per task (`total_allocated_bytes`), which is
 * what sets how often it scavenges; the load loop's own share is included
 * and the same whatever the pool does. They differ because a
 * sampling profiler counts wall time between samples: a thread that is
 * preempted (on 2 cores, a `sendto` that wakes a peer process often hands
 * it the CPU) is charged to the frame it was in, mostly the native socket
 * write `writeBuffer`. Read shares of busy time as where the time goes,
 * and the CPU figure as what a task costs.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { getHeapStatistics } from "node:v8";
import { type Transport, WorkerPool } from "@wool/core";
import { type ProfileSummary, summarizeProfile } from "./_cpuprofile.ts";
import { FloorClient } from "./floor/client.ts";
import { runClosedLoop } from "./_load.ts";
import { readCpuMs, spawnServingChild } from "./_proc.ts";
import { formatRate, renderTable } from "./_table.ts";
import { workerCommand } from "../tests/_helpers/worker_command.ts";
import { registerDroppingSdk } from "./fixtures/dropping_sdk.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    target: { type: "string", default: "pool" },
    transport: { type: "string", default: "session" },
    concurrency: { type: "string", default: "64" },
    seconds: { type: "string", default: "5" },
    top: { type: "string", default: "20" },
    "interval-us": { type: "string", default: "250" },
    dir: { type: "string" },
    "cpu-only": { type: "boolean", default: false },
    telemetry: { type: "boolean", default: false },
    child: { type: "boolean", default: false },
  },
});
const target = values.target;
const transport = values.transport as Transport;
if (
  (target !== "pool" && target !== "floor") ||
  (transport !== "session" && transport !== "dispatch")
) {
  console.error(
    "profile: --target must be pool or floor, --transport session or dispatch",
  );
  Deno.exit(2);
}
const concurrency = Number(values.concurrency);
const seconds = Number(values.seconds);
const intervalUs = Number(values["interval-us"]);
const cpuOnly = values["cpu-only"];
const telemetry = values.telemetry;
if (telemetry && target !== "pool") {
  console.error("profile: --telemetry profiles a pool (--target pool)");
  Deno.exit(2);
}
/** The profiler flags of every profiled process; none with `--cpu-only`. */
function profilerFlags(dir: string, name?: string): string[] {
  if (cpuOnly) return [];
  return [
    `--cpu-prof-dir=${dir}`,
    ...(name === undefined ? [] : [`--cpu-prof-name=${name}`]),
    `--cpu-prof-interval=${intervalUs}`,
  ];
}
const ROOT = new URL("..", import.meta.url);
const CONFIG_URL = new URL("deno.json", ROOT);
const CONFIG = fileURLToPath(CONFIG_URL);
const FLOOR_SERVER = new URL("./floor/server.ts", import.meta.url);
const TASKS = new URL("./fixtures/tasks.ts", import.meta.url).href;
const SDK_PRELOAD = new URL("./fixtures/sdk_preload.ts", import.meta.url).href;

/** What the profiled child reports on its last stdout line. */
interface ChildReport {
  readonly pids: number[];
  /** Tasks each of `pids` ran (accepted), in the same order. */
  readonly tasksPerPid: number[];
  /** Tasks run in all, warm-up included (the profile covers them all). */
  readonly tasks: number;
  readonly perSecond: number;
  /** CPU time (user + system) of the caller while the load ran, in ms. */
  readonly callerCpuMs: number;
  /** Bytes the caller's V8 heap allocated while the load ran. */
  readonly callerAllocatedBytes: number;
  /** CPU time of each of `pids` while the load ran, in ms. */
  readonly cpuMsPerPid: number[];
}

/** What {@linkcode load} measured. */
interface Measured {
  readonly tasks: number;
  readonly perSecond: number;
  readonly callerCpuMs: number;
  readonly callerAllocatedBytes: number;
  readonly cpuMsPerPid: number[];
}

if (values.child) {
  const report = target === "pool"
    ? await loadPool(values.dir!)
    : await loadFloor(values.dir!);
  console.log(JSON.stringify(report));
} else {
  await profile();
}

/**
 * Runs `op` at the configured concurrency, counting every call and the CPU
 * time this process and `pids` used meanwhile.
 */
async function load(
  op: () => Promise<unknown>,
  pids: readonly number[],
): Promise<Measured> {
  let tasks = 0;
  const counted = async () => {
    await op();
    tasks++;
  };
  const callerBefore = readCpuMs("self");
  const allocatedBefore = allocatedBytes();
  const before = pids.map(readCpuMs);
  const result = await runClosedLoop(counted, {
    concurrency,
    durationMs: seconds * 1000,
    warmupMs: 1000,
  });
  return {
    tasks,
    perSecond: result.perSecond,
    callerCpuMs: readCpuMs("self") - callerBefore,
    callerAllocatedBytes: allocatedBytes() - allocatedBefore,
    cpuMsPerPid: pids.map((pid, i) => readCpuMs(pid) - before[i]),
  };
}

/** Bytes this process's V8 heap has allocated since it started. */
function allocatedBytes(): number {
  return (getHeapStatistics() as { total_allocated_bytes: number })
    .total_allocated_bytes;
}

/** The child, `--target pool`: a pool with profiled workers. */
async function loadPool(dir: string): Promise<ChildReport> {
  const unregister = telemetry ? registerDroppingSdk() : undefined;
  await using _sdk = {
    [Symbol.asyncDispose]: async () => await unregister?.(),
  };
  await using pool = await WorkerPool.start({
    spawn: 2,
    transport,
    worker: workerCommand(
      ...(telemetry ? ["--preload", SDK_PRELOAD] : []),
      ...profilerFlags(dir),
    ),
  });
  const workers = pool.workers;
  const add = () =>
    pool.dispatch({ module: TASKS, export: "add", args: [1, 2] });
  const measured = await load(add, workers.map((w) => w.pid));
  const accepted = new Map(
    pool.stats().workers.map((w) => [w.id, w.accepted]),
  );
  return {
    pids: workers.map((w) => w.pid),
    tasksPerPid: workers.map((w) => accepted.get(w.id) ?? NaN),
    ...measured,
  };
}

/** The child, `--target floor`: the floor server, profiled. */
async function loadFloor(dir: string): Promise<ChildReport> {
  await using server = await spawnServingChild(
    FLOOR_SERVER,
    CONFIG_URL,
    profilerFlags(dir),
  );
  const client = new FloorClient(server.address);
  try {
    const one = (measured: Measured) => ({
      pids: [server.pid],
      tasksPerPid: [measured.tasks],
      ...measured,
    });
    if (transport === "dispatch") {
      return one(await load(() => client.task(), [server.pid]));
    }
    const session = client.openSession();
    const report = one(await load(() => session.send(), [server.pid]));
    session.close();
    return report;
  } finally {
    client.close();
  }
}

/** The parent: runs the child under the profiler, then reads the profiles. */
async function profile(): Promise<void> {
  const dir = values.dir ?? await Deno.makeTempDir({ prefix: "wool-prof-" });
  await Deno.mkdir(dir, { recursive: true });
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...profilerFlags(dir, "caller.cpuprofile"),
      "--config",
      CONFIG,
      fileURLToPath(import.meta.url),
      "--child",
      `--dir=${dir}`,
      `--target=${target}`,
      `--transport=${transport}`,
      `--concurrency=${concurrency}`,
      `--seconds=${seconds}`,
      `--interval-us=${intervalUs}`,
      ...(cpuOnly ? ["--cpu-only"] : []),
      ...(telemetry ? ["--telemetry"] : []),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) {
    console.error(`profile: the profiled run failed (exit ${output.code})`);
    Deno.exit(1);
  }
  const report = JSON.parse(
    new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!,
  ) as ChildReport;
  const what = target === "pool"
    ? `pool (${transport}${
      telemetry ? ", OpenTelemetry on" : ""
    }), add(1, 2), 2 workers`
    : `floor (${
      transport === "session"
        ? "long-lived stream, task → ack + result"
        : "stream per task"
    })`;
  console.log(
    `# ${
      cpuOnly ? "CPU per task" : "CPU profile"
    }: ${what}, concurrency ${concurrency}, ${seconds} s: ${
      formatRate(report.perSecond)
    } (${report.tasks} tasks ${
      cpuOnly ? "measured" : "profiled"
    }, warm-up included)\n`,
  );
  if (cpuOnly) {
    const perTask = (ms: number, tasks: number) =>
      ((ms * 1000) / tasks).toFixed(1);
    console.log(
      `Caller: CPU ${perTask(report.callerCpuMs, report.tasks)} µs per task; ${
        Math.round(report.callerAllocatedBytes / report.tasks)
      } bytes allocated per task`,
    );
    for (const [i, pid] of report.pids.entries()) {
      console.log(
        `${
          target === "pool" ? `Worker ${i + 1}` : "Floor server"
        } (pid ${pid}): CPU ${
          perTask(report.cpuMsPerPid[i], report.tasksPerPid[i])
        } µs per task (${report.tasksPerPid[i]} tasks)`,
      );
    }
    await Deno.remove(dir, { recursive: true });
    return;
  }
  const top = Number(values.top);
  print(
    "Caller",
    await readProfile(`${dir}/caller.cpuprofile`),
    report.tasks,
    report.callerCpuMs,
    top,
  );
  const names = [...Deno.readDirSync(dir)].map((entry) => entry.name);
  for (const [i, pid] of report.pids.entries()) {
    const name = names.find((n) => n.endsWith(`.${pid}.cpuprofile`));
    const title = target === "pool"
      ? `Worker ${i + 1} (pid ${pid})`
      : `Floor server (pid ${pid})`;
    if (!name) {
      console.log(`(no profile of ${title})\n`);
      continue;
    }
    print(
      title,
      await readProfile(`${dir}/${name}`),
      report.tasksPerPid[i],
      report.cpuMsPerPid[i],
      top,
    );
  }
  if (values.dir) console.log(`Profiles kept in ${dir}`);
  else await Deno.remove(dir, { recursive: true });
}

async function readProfile(path: string): Promise<ProfileSummary> {
  return summarizeProfile(JSON.parse(await Deno.readTextFile(path)));
}

function print(
  title: string,
  summary: ProfileSummary,
  tasks: number,
  cpuMs: number,
  top: number,
): void {
  const perTask = (ms: number) => ((ms * 1000) / tasks).toFixed(2);
  console.log(
    `## ${title}: ${tasks} tasks; CPU ${
      perTask(cpuMs)
    } µs per task (user + system); profile ${
      summary.busyMs.toFixed(0)
    } ms busy of ${summary.totalMs.toFixed(0)} ms, ${
      perTask(summary.busyMs)
    } µs per task\n`,
  );
  const pct = (share: number) => `${(share * 100).toFixed(1)}%`;
  console.log(renderTable(
    ["Where the time goes", "µs per task", "Share of busy"],
    summary.categories.map((c) => [c.name, perTask(c.selfMs), pct(c.share)]),
    ["left", "right", "right"],
  ));
  console.log();
  console.log(renderTable(
    ["Package", "Self ms", "µs per task", "Share of busy"],
    summary.packages.slice(0, 12).map((p) => [
      p.name,
      p.selfMs.toFixed(0),
      perTask(p.selfMs),
      pct(p.share),
    ]),
    ["left", "right", "right", "right"],
  ));
  console.log();
  console.log(renderTable(
    ["Function", "Self ms", "µs per task", "Share of busy"],
    summary.functions.slice(0, top).map((f) => [
      f.name,
      f.selfMs.toFixed(0),
      perTask(f.selfMs),
      pct(f.share),
    ]),
    ["left", "right", "right", "right"],
  ));
  console.log();
}
