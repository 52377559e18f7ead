/**
 * The latency tail at concurrency 64 as the kernel's scheduler saw it. Runs
 * `add(1, 2)` on a pool, and during the measured calls records the kernel's
 * `sched_switch` and `sched_wakeup` events (ftrace); then reports, for the
 * caller's main thread, each worker's, and their helper threads (V8's
 * background threads, Deno's runtime threads), how long each ran and how
 * long it waited runnable for a CPU — and how much of that wait another CPU
 * stood idle — with why its long waits began; and, for the longest gaps in
 * which no call completed, who ran and who waited.
 *
 *     sudo deno run -A bench/sched_trace.ts                 # 2 workers, 20,000 calls after 60,000
 *     sudo deno run -A bench/sched_trace.ts --balancer least-in-flight
 *     sudo deno run -A bench/sched_trace.ts --workers 1 --gap-ms 0.5
 *     sudo deno run -A bench/sched_trace.ts --raw /tmp/sched.txt   # keep the trace too
 *
 * It needs to write to `/sys/kernel/tracing` (root, with tracefs mounted:
 * `mount -t tracefs nodev /sys/kernel/tracing`), and it leaves the tracer
 * as it found it. Threads that exited before the run ended count as
 * "other". Where the kernel leaves switches out of the trace (here, one
 * CPU's exits from the idle loop), they are put back and counted
 * (`analyzeSched`).
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
import { type CallTimes, runFixedCount, runTimedCalls } from "./_load.ts";
import { percentile } from "./_stats.ts";
import { formatMs, formatRatio, renderTable } from "./_table.ts";
import {
  analyzeSched,
  parseTraceLine,
  type TraceEvent,
  type WaitCause,
} from "./_sched_trace.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    workers: { type: "string", default: "2" },
    concurrency: { type: "string", default: "64" },
    calls: { type: "string", default: "20000" },
    warmup: { type: "string", default: "60000" },
    balancer: { type: "string", default: "round-robin" },
    "gap-ms": { type: "string", default: "1" },
    "long-wait-ms": { type: "string", default: "0.3" },
    top: { type: "string", default: "8" },
    raw: { type: "string" },
  },
});
const workers = Number(values.workers);
const concurrency = Number(values.concurrency);
const calls = Number(values.calls);
const warmup = Number(values.warmup);
const balancer = balancerFlag("sched_trace", values.balancer);
const gapMs = Number(values["gap-ms"]);
const longWaitMs = Number(values["long-wait-ms"]);
const top = Number(values.top);

const TRACING = "/sys/kernel/tracing/";
const TASKS = new URL("./fixtures/tasks.ts", import.meta.url).href;
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));
/** The tracer's settings this script changes, restored at the end. */
const SETTINGS = ["tracing_on", "trace_clock", "buffer_size_kb", "set_event"];

/** The clock `runTimedCalls` times calls on. */
const epochMs = () => performance.timeOrigin + performance.now();
const tracing = (file: string, text: string) =>
  Deno.writeTextFileSync(TRACING + file, text);

try {
  // Writing its own value back: a marker would fail with tracing off.
  tracing("tracing_on", Deno.readTextFileSync(TRACING + "tracing_on"));
} catch (error) {
  console.error(
    `sched_trace: cannot write to ${TRACING} (${error}); it needs root and tracefs (mount -t tracefs nodev /sys/kernel/tracing)`,
  );
  Deno.exit(2);
}

const saved = new Map(
  SETTINGS.map((file) => [file, Deno.readTextFileSync(TRACING + file)]),
);
// `trace_clock` lists every clock with the current one in brackets.
const savedClock = /\[(\w+)\]/.exec(saved.get("trace_clock")!)?.[1] ?? "local";
const savedBuffer = saved.get("buffer_size_kb")!.trim().split(" ")[0];

await using pool = await WorkerPool.start({
  spawn: workers,
  worker: { config: CONFIG },
  loadBalancer: balancerNamed(balancer),
});
const tasks = pool.remote<typeof import("./fixtures/tasks.ts")>(TASKS);
const add = () => tasks.add(1, 2);
await runFixedCount(add, { concurrency, total: warmup });

let traceText: string;
let times: CallTimes;
try {
  tracing("tracing_on", "0");
  tracing("trace", "");
  tracing("buffer_size_kb", "65536");
  tracing("trace_clock", "mono");
  tracing("set_event", "sched:sched_switch\nsched:sched_wakeup\n");
  tracing("tracing_on", "1");
  tracing("trace_marker", `wool-at ${epochMs()}`);
  times = await runTimedCalls(add, { concurrency, total: calls });
  tracing("trace_marker", `wool-at ${epochMs()}`);
  tracing("tracing_on", "0");
  traceText = Deno.readTextFileSync(TRACING + "trace");
} finally {
  tracing("tracing_on", "0");
  tracing("set_event", saved.get("set_event")!);
  tracing("trace_clock", savedClock);
  tracing("buffer_size_kb", savedBuffer);
  tracing("trace", "");
  tracing("tracing_on", saved.get("tracing_on")!.trim());
}

const roles = new Map<number, string>();
const pids = [Deno.pid, ...pool.workers.map((w) => w.pid)];
for (const [i, pid] of pids.entries()) {
  const name = i === 0 ? "caller" : `worker ${i}`;
  for (const entry of Deno.readDirSync(`/proc/${pid}/task`)) {
    const tid = Number(entry.name);
    roles.set(tid, tid === pid ? name : `${name}, helper threads`);
  }
}

if (Deno.env.get("SCHED_TRACE_RAW")) {
  Deno.writeTextFileSync(Deno.env.get("SCHED_TRACE_RAW")!, traceText);
}
const events = traceText.split("\n").map(parseTraceLine)
  .filter((e): e is TraceEvent => e !== undefined);
const marks = events.flatMap((e) => {
  const m = e.kind === "mark" ? /wool-at ([\d.]+)/.exec(e.text) : null;
  return m ? [{ traceMs: e.ms, clockMs: Number(m[1]) }] : [];
});
if (marks.length !== 2) {
  console.error(
    `sched_trace: expected the two markers in the trace, found ${marks.length} (was the buffer too small?)`,
  );
  Deno.exit(1);
}
const offset = marks[0].traceMs - marks[0].clockMs;
const analysis = analyzeSched(events, {
  roleOf: (tid) => roles.get(tid),
  completionsMs: times.ends.map((ms) => ms + offset),
  gapMs,
  longWaitMs,
});

const { starts, ends } = times;
const latencies = ends.map((end, i) => end - starts[i]);
const p50 = percentile(latencies, 50);
const p99 = percentile(latencies, 99);
const elapsed = Math.max(...ends) - Math.min(...starts);
console.log(
  `# Scheduler trace: add(1, 2), ${workers} workers (${balancer}), concurrency ${concurrency}, ${calls} calls after ${warmup}\n`,
);
console.log(
  `${(calls / elapsed).toFixed(1)}k tasks/s; p50 ${formatMs(p50)}, p99 ${
    formatMs(p99)
  } (${formatRatio(p99 / p50)} p50). ${analysis.cpus} CPUs over ${
    analysis.spanMs.toFixed(0)
  } ms, idle ${analysis.idleMs.toFixed(0)} ms of ${
    (analysis.cpus * analysis.spanMs).toFixed(0)
  }; ${analysis.inferredSwitches} switches missing from the trace put back. Clock drift between the markers: ${
    (marks[1].traceMs - marks[1].clockMs - offset).toFixed(3)
  } ms.\n`,
);
const ms = (n: number) => n.toFixed(1);
console.log(renderTable(
  [
    "Threads",
    "Ran, ms",
    "Waited runnable, ms",
    "of it with a CPU idle",
    "Waits",
    `Waits > ${longWaitMs} ms`,
  ],
  analysis.roles.map((r) => [
    r.role,
    ms(r.runMs),
    ms(r.waitMs),
    ms(r.waitWithIdleCpuMs),
    String(r.waits),
    String([...r.longWaits.values()].reduce((s, w) => s + w.count, 0)),
  ]),
  ["left", "right", "right", "right", "right", "right"],
));
const causes: WaitCause[] = [
  "preempted",
  "woken onto an idle CPU",
  "woken onto a busy CPU, another idle",
  "woken onto a busy CPU, another idle later in the wait",
  "woken onto a busy CPU, the others busy throughout",
];
const mains = analysis.roles.filter((r) =>
  r.role === "caller" || /^worker \d+$/.test(r.role)
);
console.log(
  `\nHow the main threads' waits of more than ${longWaitMs} ms began (count, ms):\n`,
);
console.log(renderTable(
  ["How it began", ...mains.map((r) => r.role)],
  causes.map((cause) => [
    cause,
    ...mains.map((r) => {
      const w = r.longWaits.get(cause);
      return w ? `${w.count}, ${ms(w.ms)}` : "";
    }),
  ]),
  ["left", ...mains.map(() => "right" as const)],
));
console.log(
  `\n${analysis.gaps.length} gaps of more than ${gapMs} ms without a completion; the ${
    Math.min(top, analysis.gaps.length)
  } longest:\n`,
);
const list = (m: ReadonlyMap<string, number>) =>
  [...m].filter(([, v]) => v >= 0.05).sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ");
console.log(renderTable(
  ["Gap", "Ran (ms)", "Waited runnable (ms)"],
  analysis.gaps.slice(0, top).map((g) => [
    formatMs(g.endMs - g.startMs),
    list(g.ranMs),
    list(g.waitedMs),
  ]),
  ["right", "left", "left"],
));
