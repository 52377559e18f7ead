import assert from "node:assert/strict";
import { Handoff } from "../../../src/backpressure/_handoff.ts";
import {
  adaptiveConcurrency,
  adaptiveConcurrencyWithClock,
} from "../../../src/backpressure/adaptive_concurrency.ts";
import { normalizeHook } from "../../../src/backpressure/hook_object.ts";
import type { Task } from "../../../src/backpressure/types.ts";
import { AdmissionGate } from "../../../src/worker/admission_gate.ts";
import { Docket, type DocketEntry } from "../../../src/worker/docket.ts";

function task(id: string): Task {
  return { id, module: "file:///tasks.ts", export: "work", args: [] };
}

function clockAt(start = 0) {
  const clock = { nowMs: start, now: () => clock.nowMs, busyMs: () => 0 };
  return clock;
}

/** A handoff on a clock at 0 that has seen one task run for `runMs`. */
function learned(runMs: number) {
  const clock = clockAt();
  const handoff = new Handoff(clock);
  const first = task("first");
  handoff.started(first);
  handoff.settled(first, runMs, true);
  return { clock, handoff };
}

Deno.test("Handoff holds nothing until a task has ended: it cannot tell how long tasks run", () => {
  const clock = clockAt();
  const handoff = new Handoff(clock);
  handoff.started(task("a"));
  clock.nowMs = 1000;
  assert.equal(handoff.hold(), undefined);
});

Deno.test("Handoff holds a task only when the oldest running task is due to end within a tenth of the usual run time", async () => {
  const { clock, handoff } = learned(10);
  assert.equal(handoff.usualRunMs, 10);

  const a = task("a");
  handoff.started(a);
  clock.nowMs = 5;
  assert.equal(handoff.hold(), undefined, "5 ms to go: reject now");
  clock.nowMs = 9.5;
  const held = handoff.hold();
  assert.ok(held instanceof Promise, "0.5 ms to go: hold");
  assert.equal(handoff.hold(), undefined, "one task held at a time");
  handoff.settled(a, 9.5, true);
  assert.equal(await held, true, "the freed slot goes to the held task");
  assert.equal(handoff.holding, false);
});

Deno.test("Handoff rejects a held task when no slot frees within twice its window", async () => {
  const { clock, handoff } = learned(10);
  handoff.started(task("a"));
  clock.nowMs = 10;
  const started = performance.now();
  const held = handoff.hold();
  assert.ok(held instanceof Promise);
  assert.equal(await held, false);
  assert.ok(performance.now() - started >= 1.5, "waited its window");
  assert.equal(handoff.holding, false);
});

Deno.test("Handoff's usual run time learns from tasks that ran to an end, not from cancelled ones", () => {
  const handoff = new Handoff(clockAt());
  const [a, b, c] = [task("a"), task("b"), task("c")];
  for (const t of [a, b, c]) handoff.started(t);
  handoff.settled(a, 10, true);
  handoff.settled(b, 1000, false);
  assert.equal(handoff.usualRunMs, 10);
  handoff.settled(c, 20, true);
  assert.equal(handoff.usualRunMs, 12);
});

Deno.test("adaptiveConcurrency with a worker's admission gate: a task arriving just before the slot frees is admitted as it frees, not rejected", async () => {
  const clock = clockAt();
  const hook = adaptiveConcurrencyWithClock({ maxLimit: 1 }, clock);
  const docket = new Docket();
  const gate = new AdmissionGate({
    hook: normalizeHook(hook),
    timeoutMs: 1000,
    docket,
  });
  const entry = (): DocketEntry => ({ cancel() {}, docketSlot: -1 });
  const admitted = async (id: string) => {
    const slot = entry();
    assert.deepEqual(await gate.admit(task(id), slot), { accepted: true });
    return () => {
      docket.remove(slot);
      gate.settle(slot, { outcome: "ok", generator: false });
    };
  };
  // A first task runs ~20 ms (by the gate's clock), so the hook knows how
  // long tasks run: its window is then a tenth of that.
  const started = performance.now();
  const endFirst = await admitted("first");
  await new Promise((resolve) => setTimeout(resolve, 20));
  endFirst();
  const usualMs = performance.now() - started;
  const endRunning = await admitted("running");

  clock.nowMs = 5;
  const early = await gate.admit(task("early"), entry());
  assert.equal(early.accepted, false, "15 ms before the slot frees");

  clock.nowMs = usualMs - 1;
  const held = gate.admit(task("held"), entry());
  assert.ok(held instanceof Promise, "the gate waits for the hook");
  let answered = false;
  void held.then(() => (answered = true));
  await Promise.resolve();
  assert.equal(answered, false, "no answer while the slot is taken");
  endRunning();
  assert.deepEqual(await held, { accepted: true });
  assert.equal(docket.size, 1);
});

Deno.test("adaptiveConcurrency({ handoff }) must be a boolean, and false rejects at once", () => {
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => adaptiveConcurrency({ handoff: "yes" } as any),
    {
      name: "TypeError",
      message: /"handoff" must be a boolean, received "yes"/,
    },
  );
  const hook = adaptiveConcurrency({ handoff: false });
  const first = task("first");
  assert.equal(hook.admit({ activeTaskCount: 0, task: first }), false);
  hook.settled({
    task: first,
    queuedMs: 0,
    runMs: 0,
    outcome: "ok",
    generator: false,
  });
  assert.equal(hook.admit({ activeTaskCount: 0, task: task("a") }), false);
  const verdict = hook.admit({ activeTaskCount: 1, task: task("b") });
  assert.ok(!(verdict instanceof Promise), "no hold without handoff");
  assert.ok(typeof verdict === "object" && verdict.reject);
});
