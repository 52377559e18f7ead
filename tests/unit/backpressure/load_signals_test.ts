import assert from "node:assert/strict";
import {
  LoadSignals,
  parseSchedstat,
  schedulerBusyMs,
} from "../../../src/backpressure/_load_signals.ts";
import { denoRun } from "../../_helpers/deno_run.ts";
import { HookDriver } from "../../_helpers/hook_driver.ts";
import { requireProgram } from "../../_helpers/on_path.ts";

Deno.test("parseSchedstat: run time plus run-queue wait, in milliseconds", () => {
  assert.equal(parseSchedstat("127219000 98544000 2\n"), 225.763);
  assert.equal(parseSchedstat("garbage"), undefined);
  assert.equal(parseSchedstat(""), undefined);
});

Deno.test("LoadSignals: a limit that binds may grow only while the thread has time to spare", () => {
  const clock = new HookDriver();
  const signals = new LoadSignals(clock.clock, 100, 0.9);
  signals.full(true);
  signals.noteLimited();
  assert.equal(signals.mayGrow(), false, "no window closed yet");
  clock.advance(100, 0.5);
  signals.noteLimited();
  assert.equal(signals.utilization, 0.5);
  assert.equal(signals.mayGrow(), true);
  clock.advance(100, 0.95);
  signals.noteLimited();
  assert.equal(signals.mayGrow(), false, "a saturated thread");
  clock.advance(100, 0.2);
  assert.equal(signals.mayGrow(), true, "limited in the window before");
  clock.advance(100, 0.2);
  assert.equal(signals.mayGrow(), false, "no longer limited");
});

Deno.test("LoadSignals: a window whose busy time could not be read counts as busy", () => {
  const clock = new HookDriver();
  const signals = new LoadSignals(clock.clock, 100, 0.9);
  signals.full(true);
  clock.advance(100, 0.1);
  clock.busyMs = Number.NaN;
  signals.noteLimited();
  assert.equal(signals.utilization, 1);
  assert.equal(signals.mayGrow(), false);
  clock.busyMs = 0;
  clock.advance(100, 0.1);
  signals.noteLimited();
  assert.equal(signals.utilization, 1, "measured from an unread start");
  clock.advance(100, 0.1);
  signals.noteLimited();
  assert.equal(signals.mayGrow(), true, "it recovers once readable again");
});

Deno.test("LoadSignals: only time to spare while the limit is full counts, not idle time with a slot free", () => {
  const clock = new HookDriver();
  const signals = new LoadSignals(clock.clock, 100, 0.9);
  // Each 10 ms: the slots full and the thread busy for 8, then idle for 2.
  const tenMs = (busyWhileFull: number) => {
    signals.full(true);
    signals.noteLimited();
    clock.advance(8, busyWhileFull);
    signals.full(false);
    clock.advance(2, 0);
  };
  for (let i = 0; i < 10; i++) tenMs(1);
  signals.noteLimited();
  assert.equal(signals.utilization, 0.8, "busy 80 % of the window");
  assert.equal(signals.mayGrow(), false, "but all the time the limit was full");
  for (let i = 0; i < 10; i++) tenMs(0.5);
  signals.noteLimited();
  assert.equal(signals.mayGrow(), true, "half idle while full");
});

Deno.test("LoadSignals: a window in which the limit was never full gives no reason to grow", () => {
  const clock = new HookDriver();
  const signals = new LoadSignals(clock.clock, 100, 0.9);
  signals.noteLimited();
  clock.advance(100, 0);
  signals.noteLimited();
  assert.equal(signals.mayGrow(), false);
});

const LINUX = Deno.build.os === "linux";

Deno.test({
  name:
    "schedulerBusyMs: read with every permission, and not asked for without (no prompt, CPU time instead)",
  ignore: !LINUX,
  async fn() {
    assert.equal(typeof schedulerBusyMs(), "function");
    const probe = new URL(
      "../../../src/backpressure/_load_signals.ts",
      import.meta.url,
    ).href;
    const program = `import { schedulerBusyMs } from ${JSON.stringify(probe)};
console.log(schedulerBusyMs() === undefined ? "fallback" : "scheduler");`;
    const file = await Deno.makeTempFile({ suffix: ".ts" });
    try {
      await Deno.writeTextFile(file, program);
      const restricted = await denoRun(["--allow-read", file]);
      assert.equal(restricted.code, 0, restricted.stderr);
      assert.equal(restricted.stdout.trim(), "fallback");
      assert.doesNotMatch(restricted.stderr, /NotCapable|requests/);
      const full = await denoRun(["--allow-all", file]);
      assert.equal(full.stdout.trim(), "scheduler", full.stderr);
    } finally {
      await Deno.remove(file);
    }
  },
});

/**
 * A program that, pinned with its two spinner processes to one CPU (they
 * inherit its affinity), busy-loops for 600 ms and prints what its own
 * thread's `schedstat` and the reader say of that time.
 */
function contendedProgram(loadSignals: string): string {
  return `import { schedulerBusyMs } from ${JSON.stringify(loadSignals)};
const read = schedulerBusyMs();
if (read === undefined) throw new Error("schedstat is not readable");
const spin = "console.log('spinning'); const end = Date.now() + 30_000; while (Date.now() < end);";
const spinners = [];
for (let i = 0; i < 2; i++) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", spin], stdin: "null", stdout: "piped", stderr: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  await reader.read();
  await reader.cancel();
  spinners.push(child);
}
const runNs = () =>
  Number(Deno.readTextFileSync("/proc/thread-self/schedstat").split(" ")[0]);
const runBefore = runNs();
const busyBefore = read();
const start = performance.now();
while (performance.now() - start < 600);
const wallMs = performance.now() - start;
const busyMs = read() - busyBefore;
const cpuMs = (runNs() - runBefore) / 1e6;
for (const child of spinners) {
  child.kill("SIGKILL");
  await child.status;
}
console.log(JSON.stringify({ wallMs, busyMs, cpuMs }));
`;
}

Deno.test({
  name:
    "schedulerBusyMs: a thread set aside by the kernel for other busy processes counts as busy, though its CPU time says it had time to spare",
  ignore: !LINUX,
  async fn() {
    if (!requireProgram("taskset", "util-linux")) return;
    const loadSignals = new URL(
      "../../../src/backpressure/_load_signals.ts",
      import.meta.url,
    ).href;
    const file = await Deno.makeTempFile({ suffix: ".ts" });
    try {
      await Deno.writeTextFile(file, contendedProgram(loadSignals));
      const { code, stdout, stderr } = await new Deno.Command("taskset", {
        args: ["-c", "0", Deno.execPath(), "run", "-A", file],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder();
      assert.equal(code, 0, text.decode(stderr));
      const { wallMs, busyMs, cpuMs } = JSON.parse(text.decode(stdout));
      assert.ok(
        cpuMs < 0.8 * wallMs,
        `the spinners did not compete: CPU ${cpuMs.toFixed(0)} of ${
          wallMs.toFixed(0)
        } ms`,
      );
      assert.ok(
        busyMs >= 0.8 * wallMs,
        `busy ${busyMs.toFixed(0)} of ${wallMs.toFixed(0)} ms (CPU ${
          cpuMs.toFixed(0)
        } ms)`,
      );
    } finally {
      await Deno.remove(file);
    }
  },
});
