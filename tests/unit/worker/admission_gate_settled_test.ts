import assert from "node:assert/strict";
import {
  normalizeHook,
  type SettledTask,
} from "../../../src/backpressure/hook_object.ts";
import type {
  BackpressureContext,
  Task,
} from "../../../src/backpressure/types.ts";
import { AdmissionGate } from "../../../src/worker/admission_gate.ts";
import { Docket, type DocketEntry } from "../../../src/worker/docket.ts";
import { reportSettledErrorsOnce } from "../../../src/worker/settled_reporter.ts";

function task(id: string): Task {
  return { id, module: "file:///tasks.ts", export: "add", args: [] };
}

function entry(): DocketEntry {
  return { cancel() {} };
}

/** A gate over a hook object that admits while `open`, recording both calls. */
function learningGate(timeoutMs = 1000) {
  const seen: BackpressureContext[] = [];
  const settled: SettledTask[] = [];
  const state = {
    open: true,
    answer: undefined as Promise<boolean> | undefined,
  };
  const hook = normalizeHook({
    admit(ctx: BackpressureContext) {
      seen.push(ctx);
      return state.answer ?? !state.open;
    },
    settled(done: SettledTask) {
      settled.push(done);
    },
  });
  const docket = new Docket();
  const gate = new AdmissionGate({ hook, timeoutMs, docket });
  return { gate, docket, seen, settled, state };
}

Deno.test("AdmissionGate.settle() tells the hook once of an admitted task, with the task admit() saw", () => {
  const { gate, docket, seen, settled } = learningGate();
  const a = entry();
  const admission = gate.admit(task("a"), a, performance.now() - 5);
  assert.deepEqual(admission, { accepted: true });
  assert.equal(docket.size, 1);
  assert.equal(docket.remove(a), true);
  gate.settle(a, { outcome: "error", generator: false });
  gate.settle(a, { outcome: "ok", generator: false });
  assert.equal(settled.length, 1);
  const [done] = settled;
  assert.equal(done.task, seen[0].task);
  assert.equal(done.outcome, "error");
  assert.equal(done.generator, false);
  assert.ok(done.queuedMs >= 5, `queuedMs ${done.queuedMs}`);
  assert.ok(done.runMs >= 0);
  assert.ok(Object.isFrozen(done));
});

Deno.test("AdmissionGate.settle() says nothing of a rejected task, nor of one whose answer came too late", async () => {
  const { gate, settled, state } = learningGate(1);
  state.open = false;
  const rejected = entry();
  assert.equal(
    (gate.admit(task("r"), rejected) as { accepted: boolean }).accepted,
    false,
  );
  gate.settle(rejected, { outcome: "ok", generator: false });
  let accept!: (reject: boolean) => void;
  state.answer = new Promise((resolve) => accept = resolve);
  const late = entry();
  const admission = await gate.admit(task("late"), late);
  assert.equal(admission.accepted, false);
  accept(false);
  gate.settle(late, { outcome: "ok", generator: false });
  assert.deepEqual(settled, []);
});

Deno.test("AdmissionGate with a plain function hook admits as before and settle() is a no-op", () => {
  const docket = new Docket();
  const gate = new AdmissionGate({
    hook: () => false,
    timeoutMs: 1000,
    docket,
  });
  const a = entry();
  assert.deepEqual(gate.admit(task("a"), a), { accepted: true });
  docket.remove(a);
  gate.settle(a, { outcome: "ok", generator: false });
  assert.equal(docket.size, 0);
});

Deno.test("reportSettledErrorsOnce() writes the first failure only, and counts them all", () => {
  const lines: string[] = [];
  const reporter = reportSettledErrorsOnce(
    "wool worker w1",
    (line) => lines.push(line),
  );
  reporter.report(new Error("first"));
  reporter.report(new Error("second"));
  assert.equal(reporter.count(), 2);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /^wool worker w1: the backpressure hook's settled\(\) failed; .*first/,
  );
});
