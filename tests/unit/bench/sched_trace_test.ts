import assert from "node:assert/strict";
import {
  analyzeSched,
  parseTraceLine,
  type TraceEvent,
} from "../../../bench/_sched_trace.ts";

/** One ftrace line, as `/sys/kernel/tracing/trace` prints it. */
const line = (comm: string, cpu: number, seconds: number, body: string) =>
  `${comm.padStart(16)} [00${cpu}] d..2. ${seconds.toFixed(6)}: ${body}`;
const sw = (
  cpu: number,
  s: number,
  prev: number,
  state: string,
  next: number,
) =>
  line(
    "deno",
    cpu,
    s,
    `sched_switch: prev_comm=V8 DefaultWorke prev_pid=${prev} prev_prio=120 prev_state=${state} ==> next_comm=deno next_pid=${next} next_prio=120`,
  );
const wake = (cpu: number, s: number, tid: number, target: number) =>
  line(
    "deno",
    cpu,
    s,
    `sched_wakeup: comm=deno pid=${tid} prio=120 target_cpu=00${target}`,
  );

Deno.test("parseTraceLine() reads switches, wakeups and markers, comm names with spaces included, and skips other lines", () => {
  assert.deepEqual(parseTraceLine(sw(1, 10.5, 31352, "R+", 31342)), {
    kind: "switch",
    ms: 10500,
    cpu: 1,
    prevTid: 31352,
    prevState: "R+",
    nextTid: 31342,
  });
  assert.deepEqual(parseTraceLine(wake(0, 0.001, 7, 1)), {
    kind: "wakeup",
    ms: 1,
    tid: 7,
    targetCpu: 1,
  });
  assert.deepEqual(
    parseTraceLine(
      "            deno-31342   [001] ...1. 42943.671563: tracing_mark_write: wool-at 1801.9",
    ),
    { kind: "mark", ms: 42943671.563, text: "wool-at 1801.9" },
  );
  assert.equal(parseTraceLine("# tracer: nop"), undefined);
  assert.equal(
    parseTraceLine(line("deno", 0, 1, "sched_stat_runtime: comm=deno")),
    undefined,
  );
});

// Two CPUs, times in seconds. Thread 10 is the caller, 20 a worker, 11 a
// helper of the caller's; 0 is idle.
const TRACE = [
  sw(0, 0.000, 0, "R", 10), // cpu 0: caller runs
  sw(1, 0.000, 0, "R", 20), // cpu 1: worker runs
  sw(1, 0.001, 20, "S", 0), // 1 ms: the worker sleeps, cpu 1 idles
  wake(0, 0.002, 11, 0), // 2 ms: the caller wakes its helper onto cpu 0...
  sw(0, 0.002, 10, "R+", 11), // ...which preempts it
  wake(0, 0.003, 20, 0), // 3 ms: the worker is woken onto busy cpu 0
  sw(0, 0.005, 11, "S", 10), // 5 ms: the helper sleeps, the caller runs
  sw(1, 0.006, 0, "R", 20), // 6 ms: idle cpu 1 takes the worker at last
  sw(1, 0.007, 20, "S", 0),
  sw(0, 0.008, 10, "S", 0),
].join("\n");

function analyze(completionsMs: number[]) {
  const events = TRACE.split("\n").map(parseTraceLine)
    .filter((e): e is TraceEvent => e !== undefined);
  const roles = new Map([[10, "caller"], [11, "caller, helpers"], [
    20,
    "worker",
  ]]);
  return analyzeSched(events, {
    roleOf: (tid) => roles.get(tid),
    completionsMs,
    gapMs: 1,
    longWaitMs: 0.3,
  });
}

Deno.test("analyzeSched() measures each role's run and runnable wait, the wait with a CPU idle, and how each long wait began", () => {
  const analysis = analyze([]);
  assert.equal(analysis.cpus, 2);
  assert.equal(analysis.spanMs, 8);
  const role = (name: string) => analysis.roles.find((r) => r.role === name)!;
  const close = (actual: number, expected: number) =>
    assert.ok(Math.abs(actual - expected) < 1e-6, `${actual} ≉ ${expected}`);
  // Caller: ran 0–2 and 5–8; waited 2–5, preempted by its own helper while
  // cpu 1 stood idle (1–6).
  close(role("caller").runMs, 5);
  close(role("caller").waitMs, 3);
  close(role("caller").waitWithIdleCpuMs, 3);
  assert.deepEqual([...role("caller").longWaits], [["preempted", {
    count: 1,
    ms: 3,
  }]]);
  // Worker: woken at 3 onto busy cpu 0 with cpu 1 idle; ran on cpu 1 at 6.
  close(role("worker").runMs, 2);
  close(role("worker").waitMs, 3);
  close(role("worker").waitWithIdleCpuMs, 3);
  const [[cause, wait]] = [...role("worker").longWaits];
  assert.equal(cause, "woken onto a busy CPU, another idle");
  close(wait.ms, 3);
  // The helper was woken and ran at once: a wait of 0.
  close(role("caller, helpers").runMs, 3);
  close(role("caller, helpers").waitMs, 0);
  // cpu 1 idled 1–6; the idle spans still open at the end are not counted.
  close(analysis.idleMs, 5);
});

Deno.test("analyzeSched() lists gaps between completions longer than gapMs, longest first, with who ran and who waited in each", () => {
  const { gaps } = analyze([0.5, 1.2, 1.9, 6.5, 7.2]);
  assert.deepEqual(gaps.map((g) => [g.startMs, g.endMs]), [[1.9, 6.5]]);
  const [gap] = gaps;
  const close = (actual: number | undefined, expected: number) =>
    assert.ok(
      actual !== undefined && Math.abs(actual - expected) < 1e-6,
      `${actual} ≉ ${expected}`,
    );
  close(gap.ranMs.get("caller, helpers"), 3);
  close(gap.ranMs.get("idle"), 4.1);
  close(gap.waitedMs.get("caller"), 3);
  close(gap.waitedMs.get("worker"), 3);
});

Deno.test("analyzeSched() puts back a switch the trace left out: a thread switched away from a CPU the trace still has idle ran from its wakeup", () => {
  const events = [
    sw(1, 0.000, 0, "R", 20), // cpu 1: the worker runs
    sw(1, 0.001, 20, "S", 0), // 1 ms: it sleeps, cpu 1 idles
    wake(0, 0.004, 20, 1), // 4 ms: woken onto idle cpu 1...
    // ...and the switch from idle to it at ~4 ms is missing.
    sw(1, 0.006, 20, "S", 0), // 6 ms: it sleeps again
    sw(1, 0.007, 0, "R", 30),
  ].map(parseTraceLine).filter((e): e is TraceEvent => e !== undefined);
  const analysis = analyzeSched(events, {
    roleOf: (tid) => tid === 20 ? "worker" : undefined,
    completionsMs: [],
    gapMs: 1,
    longWaitMs: 0.3,
  });
  assert.equal(analysis.inferredSwitches, 1);
  const worker = analysis.roles.find((r) => r.role === "worker")!;
  assert.ok(Math.abs(worker.runMs - 3) < 1e-6, `ran ${worker.runMs}`);
  assert.equal(worker.waitMs, 0);
  assert.equal(worker.longWaits.size, 0);
  assert.ok(Math.abs(analysis.idleMs - 4) < 1e-6, `idle ${analysis.idleMs}`);
});
