import assert from "node:assert/strict";
import type {
  Admission,
  BackpressureContext,
  BackpressureHook,
  Task,
  Verdict,
} from "../../../src/backpressure/types.ts";
import {
  AdmissionGate,
  PRESSURE_MS,
} from "../../../src/worker/admission_gate.ts";
import { Docket, type DocketEntry } from "../../../src/worker/docket.ts";
import { nextTurn } from "../../_helpers/next_turn.ts";

/** Long enough never to fire in these tests, except where a test sets it. */
const NO_TIMEOUT_MS = 60_000;

function task(id: string, extra: Partial<Task> = {}): Task {
  return {
    id,
    module: "file:///srv/tasks.ts",
    export: "add",
    args: [1, 2],
    ...extra,
  };
}

function entry(): DocketEntry {
  return { cancel() {}, docketSlot: -1 };
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * An async hook whose every answer the test gives by hand: `calls` holds
 * each context it was asked about, `answers` the matching deferred verdict.
 */
function manualHook(): {
  hook: BackpressureHook;
  calls: BackpressureContext[];
  answers: Deferred<Verdict>[];
} {
  const calls: BackpressureContext[] = [];
  const answers: Deferred<Verdict>[] = [];
  const hook: BackpressureHook = (ctx) => {
    calls.push(ctx);
    const answer = deferred<Verdict>();
    answers.push(answer);
    return answer.promise;
  };
  return { hook, calls, answers };
}

/** Lets every pending promise callback run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function gate(
  hook: BackpressureHook | null,
  timeoutMs = NO_TIMEOUT_MS,
): { gate: AdmissionGate; docket: Docket } {
  const docket = new Docket();
  return { gate: new AdmissionGate({ hook, timeoutMs, docket }), docket };
}

Deno.test("AdmissionGate.admit() with no hook accepts synchronously and enters the docket", () => {
  const { gate: g, docket } = gate(null);
  const admission = g.admit(task("t1"), entry());
  assert.deepEqual(admission, { accepted: true });
  assert.equal(docket.size, 1);
});

Deno.test("AdmissionGate.admit() answers a synchronous hook synchronously", () => {
  const { gate: g, docket } = gate((ctx) => ctx.task.tag === "no");
  const accepted = g.admit(task("t1"), entry());
  assert.ok(!(accepted instanceof Promise));
  assert.equal(accepted.accepted, true);
  const rejected = g.admit(task("t2", { tag: "no" }), entry());
  assert.ok(!(rejected instanceof Promise));
  assert.deepEqual(rejected, {
    accepted: false,
    cause: "hook",
    message: "Rejected by backpressure hook",
  });
  assert.equal(docket.size, 1);
});

Deno.test("AdmissionGate.admit() leaves the docket untouched when a task is rejected", async () => {
  const { gate: g, docket } = gate(async () => {
    await Promise.resolve();
    return { reject: true, reason: "busy" };
  });
  const rejected = await g.admit(task("t1"), entry());
  assert.deepEqual(rejected, {
    accepted: false,
    cause: "hook",
    reason: "busy",
    message: "Rejected by backpressure hook: busy",
  });
  assert.equal(docket.size, 0);
});

Deno.test("AdmissionGate.admit() has an accepted task in the docket by the time the answer is seen", async () => {
  const { hook, answers } = manualHook();
  const { gate: g, docket } = gate(hook);
  const pending = g.admit(task("t1"), entry());
  assert.ok(pending instanceof Promise);
  await settle();
  assert.equal(docket.size, 0);
  answers[0].resolve(false);
  const admission = await pending;
  assert.equal(admission.accepted, true);
  assert.equal(docket.size, 1);
});

Deno.test("AdmissionGate.admit() asks the hook about one task at a time, each seeing the docket the last one left", async () => {
  const { hook, calls, answers } = manualHook();
  const { gate: g, docket } = gate(hook);
  const first = g.admit(task("t1"), entry());
  const second = g.admit(task("t2"), entry());
  const third = g.admit(task("t3"), entry());
  await settle();
  assert.deepEqual(calls.map((ctx) => ctx.task.id), ["t1"]);

  answers[0].resolve(false);
  await settle();
  assert.deepEqual(calls.map((ctx) => ctx.task.id), ["t1", "t2"]);
  assert.equal(calls[1].activeTaskCount, 1);

  answers[1].resolve(true);
  await settle();
  assert.deepEqual(calls.map((ctx) => ctx.task.id), ["t1", "t2", "t3"]);
  assert.equal(calls[2].activeTaskCount, 1);

  answers[2].resolve(false);
  const admissions = await Promise.all([first, second, third]);
  assert.deepEqual(admissions.map((a) => a.accepted), [true, false, true]);
  assert.equal(docket.size, 2);
});

Deno.test("AdmissionGate.admit() queues a task behind a pending decision even when the hook would answer synchronously", async () => {
  const order: string[] = [];
  const slow = deferred<Verdict>();
  const hook: BackpressureHook = (ctx) => {
    order.push(`hook ${ctx.task.id}`);
    return ctx.task.id === "t1" ? slow.promise : false;
  };
  const { gate: g } = gate(hook);
  const first = g.admit(task("t1"), entry());
  const queued = g.admit(task("t2"), entry());
  assert.ok(queued instanceof Promise);
  await settle();
  assert.deepEqual(order, ["hook t1"]);
  order.push("t1 answered by the test");
  slow.resolve(false);
  const admissions = await Promise.all([first, queued]);
  assert.deepEqual(order, ["hook t1", "t1 answered by the test", "hook t2"]);
  assert.deepEqual(admissions.map((a) => a.accepted), [true, true]);
  // The gate is idle again: a synchronous hook answers synchronously.
  assert.ok(!(g.admit(task("t3"), entry()) instanceof Promise));
});

Deno.test("AdmissionGate.admit() never lets more than N in with a slow hook that rejects at N", async () => {
  const limit = 3;
  const hook: BackpressureHook = async (ctx) => {
    const count = ctx.activeTaskCount;
    for (let i = 0; i < 5; i++) await Promise.resolve();
    return count >= limit;
  };
  const { gate: g, docket } = gate(hook);
  const admissions = await Promise.all(
    Array.from({ length: 20 }, (_, i) => g.admit(task(`t${i}`), entry())),
  );
  assert.equal(admissions.filter((a) => a.accepted).length, limit);
  assert.equal(docket.size, limit);
});

/**
 * A gate with a one-slot synchronous hook on a clock the test sets; `asked`
 * lists the tasks the hook was asked about, in order.
 */
function oneSlotGate(): {
  gate: AdmissionGate;
  docket: Docket;
  asked: string[];
  clock: { now: number };
} {
  const asked: string[] = [];
  const clock = { now: 0 };
  const docket = new Docket();
  const hook: BackpressureHook = (ctx) => {
    asked.push(ctx.task.id);
    return ctx.activeTaskCount >= 1;
  };
  const g = new AdmissionGate({
    hook,
    timeoutMs: NO_TIMEOUT_MS,
    docket,
    now: () => clock.now,
  });
  return { gate: g, docket, asked, clock };
}

Deno.test("AdmissionGate.admit() under pressure decides the tasks of one turn at its end, newest first", async () => {
  const { gate: g, docket, asked, clock } = oneSlotGate();
  const running = entry();
  assert.equal(
    (g.admit(task("running"), running, 0) as Admission).accepted,
    true,
  );
  clock.now = 1;
  // The hook's rejection puts the worker under pressure.
  assert.equal(
    (g.admit(task("refused"), entry(), 1) as Admission).accepted,
    false,
  );
  docket.remove(running);
  const pending = ["old", "middle", "new"].map((id, i) =>
    g.admit(task(id), entry(), 2 + i)
  );
  assert.ok(pending.every((p) => p instanceof Promise));
  assert.equal(docket.size, 0);
  const [old, middle, fresh] = await Promise.all(pending);
  assert.equal(fresh.accepted, true);
  assert.equal(old.accepted, false);
  assert.equal(middle.accepted, false);
  assert.deepEqual(asked, ["running", "refused", "new", "middle", "old"]);
  assert.equal(docket.size, 1);
});

Deno.test("AdmissionGate.admit() without pressure decides each task as it arrives, oldest first", () => {
  const { gate: g, asked } = oneSlotGate();
  const first = g.admit(task("first"), entry(), 0);
  const second = g.admit(task("second"), entry(), 0);
  assert.deepEqual(first, { accepted: true });
  assert.ok(!(second instanceof Promise));
  assert.equal(second.accepted, false);
  assert.deepEqual(asked, ["first", "second"]);
});

Deno.test("AdmissionGate.admit() is under pressure for PRESSURE_MS after the latest rejection", async () => {
  const { gate: g, docket, clock } = oneSlotGate();
  const running = entry();
  clock.now = 10;
  g.admit(task("running"), running, 10);
  g.admit(task("refused"), entry(), 10);
  docket.remove(running);
  const withinEntry = entry();
  const within = g.admit(task("within"), withinEntry, 10 + PRESSURE_MS - 1);
  assert.ok(within instanceof Promise);
  assert.equal((await within).accepted, true);
  docket.remove(withinEntry);
  const after = g.admit(task("after"), entry(), 10 + PRESSURE_MS);
  assert.deepEqual(after, { accepted: true });
});

Deno.test("AdmissionGate.admit() under pressure decides tasks queued behind an async hook newest first", async () => {
  const { hook, calls, answers } = manualHook();
  const { gate: g } = gate(hook);
  const first = g.admit(task("first"), entry());
  await settle();
  answers[0].resolve(false);
  assert.equal((await first).accepted, true);
  const refused = g.admit(task("refused"), entry());
  await settle();
  answers[1].resolve(true);
  assert.equal((await refused).accepted, false);
  const pending = ["a", "b", "c"].map((id) => g.admit(task(id), entry()));
  for (let i = 2; i <= 4; i++) {
    for (let turn = 0; calls.length <= i && turn < 100; turn++) {
      await nextTurn();
    }
    answers[i].resolve(false);
  }
  await Promise.all(pending);
  assert.deepEqual(calls.map((c) => c.task.id), [
    "first",
    "refused",
    "c",
    "b",
    "a",
  ]);
});

Deno.test("AdmissionGate.admit() is not under pressure while the hook rejects every task: each is answered at once, in order", () => {
  const asked: string[] = [];
  const { gate: g } = gate((ctx) => {
    asked.push(ctx.task.id);
    return true;
  });
  const answers = ["a", "b", "c"].map((id, i) => g.admit(task(id), entry(), i));
  assert.ok(answers.every((answer) => !(answer instanceof Promise)));
  assert.deepEqual(asked, ["a", "b", "c"]);
});

Deno.test("AdmissionGate.admit() stays under pressure when a long task's slot frees, long after the last admission", async () => {
  const { gate: g, docket, asked, clock } = oneSlotGate();
  const long = entry();
  g.admit(task("long"), long, 0);
  clock.now = 5_000;
  // Refused while the long task runs: under pressure (a task runs).
  assert.equal(
    (await g.admit(task("refused"), entry(), 5_000)).accepted,
    false,
  );
  docket.remove(long);
  g.settle(long, { outcome: "ok", generator: false });
  const pending = ["old", "new"].map((id) => g.admit(task(id), entry(), 5_001));
  assert.ok(pending.every((p) => p instanceof Promise));
  const [old, fresh] = await Promise.all(pending);
  assert.equal(fresh.accepted, true);
  assert.equal(old.accepted, false);
  assert.deepEqual(asked, ["long", "refused", "new", "old"]);
});

Deno.test("AdmissionGate.admit() rejects a task whose hook does not answer within timeoutMs, then decides the next", async () => {
  const hook: BackpressureHook = (ctx) =>
    ctx.task.tag === "hang" ? new Promise<Verdict>(() => {}) : false;
  const { gate: g, docket } = gate(hook, 20);
  const hung = g.admit(task("t1", { tag: "hang" }), entry());
  const next = g.admit(task("t2"), entry());
  assert.deepEqual(await hung, {
    accepted: false,
    cause: "hook-timeout",
    message: "Backpressure hook did not answer within 20 ms",
  });
  assert.equal((await next).accepted, true);
  assert.equal(docket.size, 1);
});

Deno.test("AdmissionGate.admit() rejects a task whose hook throws or rejects, and keeps deciding", async () => {
  const hook: BackpressureHook = (ctx) => {
    if (ctx.task.tag === "throw") throw new TypeError("boom");
    if (ctx.task.tag === "reject") return Promise.reject(new RangeError("no"));
    return false;
  };
  const { gate: g, docket } = gate(hook);
  const threw = g.admit(task("t1", { tag: "throw" }), entry());
  assert.deepEqual(threw, {
    accepted: false,
    cause: "hook-error",
    message: "Backpressure hook threw: TypeError: boom",
  });
  const rejected = g.admit(task("t2", { tag: "reject" }), entry());
  const after = g.admit(task("t3"), entry());
  assert.deepEqual(await rejected, {
    accepted: false,
    cause: "hook-error",
    message: "Backpressure hook threw: RangeError: no",
  });
  assert.equal((await after).accepted, true);
  assert.equal(docket.size, 1);
});

Deno.test("AdmissionGate.stop() rejects every later task with cause stopping, without asking the hook", () => {
  let asked = 0;
  const { gate: g, docket } = gate(() => {
    asked++;
    return false;
  });
  g.stop();
  assert.deepEqual(g.admit(task("t1"), entry()), {
    accepted: false,
    cause: "stopping",
    message: "Worker is stopping and admits no new task",
  });
  assert.equal(asked, 0);
  assert.equal(docket.size, 0);
});

Deno.test("AdmissionGate.stop() also rejects tasks queued behind a pending decision", async () => {
  const { hook, calls, answers } = manualHook();
  const { gate: g, docket } = gate(hook);
  const pending = g.admit(task("t1"), entry());
  const queued = g.admit(task("t2"), entry());
  await settle();
  g.stop();
  answers[0].resolve(false);
  const [first, second] = await Promise.all([pending, queued]);
  assert.equal(first.accepted, true);
  assert.deepEqual(second, {
    accepted: false,
    cause: "stopping",
    message: "Worker is stopping and admits no new task",
  });
  assert.equal(calls.length, 1);
  assert.equal(docket.size, 1);
});

Deno.test("AdmissionGate.admit() gives the hook a frozen context of the task and the docket size", async () => {
  const seen: BackpressureContext[] = [];
  const { gate: g, docket } = gate((ctx) => {
    seen.push(ctx);
    return false;
  });
  docket.add(entry());
  docket.add(entry());
  const args = [1, new Map([["k", 2]])];
  await g.admit(
    task("t9", {
      args,
      tag: "heavy",
      caller: "t0",
      timeoutMs: 1500,
    }),
    entry(),
  );
  const [ctx] = seen;
  assert.equal(ctx.activeTaskCount, 2);
  assert.deepEqual(ctx.task, {
    id: "t9",
    module: "file:///srv/tasks.ts",
    export: "add",
    args,
    tag: "heavy",
    caller: "t0",
    timeoutMs: 1500,
  });
  assert.ok(Object.isFrozen(ctx));
  assert.ok(Object.isFrozen(ctx.task));
  assert.ok(Object.isFrozen(ctx.task.args));
  assert.throws(() => {
    (ctx as { activeTaskCount: number }).activeTaskCount = 0;
  }, TypeError);
  assert.throws(() => {
    (ctx.task as { tag?: string }).tag = "light";
  }, TypeError);
  assert.throws(() => (ctx.task.args as unknown[]).push(3), TypeError);
  assert.equal(docket.size, 3);
});

Deno.test("AdmissionGate.admit() returns each admission as a value, never throwing", async () => {
  const hooks: BackpressureHook[] = [
    () => {
      throw null;
    },
    () => 42 as unknown as Verdict,
    () => ({ reject: "yes" }) as unknown as Verdict,
    () => Promise.reject(undefined),
  ];
  for (const hook of hooks) {
    const { gate: g, docket } = gate(hook);
    const admission: Admission = await g.admit(task("t1"), entry());
    assert.equal(admission.accepted, false);
    assert.ok(!admission.accepted && admission.cause === "hook-error");
    assert.equal(docket.size, 0);
  }
});
