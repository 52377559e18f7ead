import assert from "node:assert/strict";
import {
  fairShare,
  type FairShareOptions,
  fairShareWithClock,
} from "../../../src/backpressure/fair_share.ts";
import { maxActive } from "../../../src/backpressure/max_active.ts";
import type { Task, Verdict } from "../../../src/backpressure/types.ts";
import { type DrivenTask, HookDriver } from "../../_helpers/hook_driver.ts";
import { simulateIoWorker } from "../../_helpers/worker_sim.ts";
import { spanFigures } from "../../_helpers/sim_metrics.ts";

function driven(options: FairShareOptions): HookDriver {
  const driver = new HookDriver();
  return driver.attach(fairShareWithClock(options, driver.clock));
}

/** Offers `count` tasks of `tenant`; returns those admitted. */
function offer(
  driver: HookDriver,
  tenant: string,
  count: number,
): DrivenTask[] {
  const admitted: DrivenTask[] = [];
  for (let i = 0; i < count; i++) {
    const entry = driver.offer({ tenant });
    if (entry !== null) admitted.push(entry);
  }
  return admitted;
}

function held(driver: HookDriver, tenant: string): number {
  return driver.docket.filter((entry) =>
    (entry.task as { context?: Record<string, unknown> }).context?.tenant ===
      tenant
  ).length;
}

function reasonOf(verdict: Verdict): string {
  assert.ok(typeof verdict === "object" && verdict.reject, "not rejected");
  return verdict.reason ?? "";
}

Deno.test("fairShare() lets a lone key use every slot", () => {
  const driver = driven({ key: "tenant", limit: 6 });
  assert.equal(offer(driver, "acme", 10).length, 6);
  assert.equal(driver.hook.limit, 6);
});

Deno.test("fairShare() holds a flooding key to its share while another key has work waiting", () => {
  const driver = driven({ key: "tenant", limit: 4 });
  const [first] = offer(driver, "b", 1);
  offer(driver, "a", 10);
  // "b" wanted one slot: "a" has its share (2) and borrows the idle one.
  assert.equal(held(driver, "a"), 3);
  assert.equal(offer(driver, "b", 1).length, 0, "the worker is full");
  // "b" was turned away wanting a second slot: the next free one is its.
  driver.settle(driver.docket.find((entry) => entry !== first)!);
  assert.equal(offer(driver, "a", 5).length, 0);
  assert.equal(offer(driver, "b", 1).length, 1);
  assert.equal(held(driver, "a"), 2);
  assert.equal(held(driver, "b"), 2);
});

Deno.test("fairShare() lends an idle key's share once its demand is forgotten", () => {
  const driver = driven({ key: "tenant", limit: 4, idleMs: 100 });
  const bTasks = offer(driver, "b", 2);
  offer(driver, "a", 10);
  assert.equal(held(driver, "a"), 2);
  for (const entry of bTasks) driver.settle(entry);
  driver.advance(50, 0);
  assert.equal(offer(driver, "a", 10).length, 0, "b's slots are still kept");
  driver.advance(200, 0);
  assert.equal(offer(driver, "a", 10).length, 2);
  assert.equal(held(driver, "a"), 4);
});

Deno.test("fairShare() weighs shares", () => {
  const driver = driven({ key: "tenant", limit: 8, weights: { a: 3 } });
  offer(driver, "b", 8);
  offer(driver, "a", 8);
  // b took every slot alone; as they free, a's claim (6 of 8) comes first.
  for (let round = 0; round < 8; round++) {
    driver.settle(driver.docket[0]);
    offer(driver, "a", 1);
    offer(driver, "b", 1);
  }
  assert.equal(held(driver, "a"), 6);
  assert.equal(held(driver, "b"), 2);
});

Deno.test('fairShare() keys by tag with key "tag"', () => {
  const hook = fairShare({ key: "tag", limit: 3 });
  let ids = 0;
  const task = (tag?: string): Task => ({
    id: `t${++ids}`,
    module: "file:///srv/tasks.ts",
    export: "work",
    args: [],
    ...(tag === undefined ? {} : { tag }),
  });
  const untagged = task();
  assert.equal(hook.admit({ activeTaskCount: 0, task: task("gold") }), false);
  assert.equal(hook.admit({ activeTaskCount: 1, task: untagged }), false);
  assert.equal(hook.admit({ activeTaskCount: 2, task: task("gold") }), false);
  hook.settled({
    task: untagged,
    queuedMs: 0,
    runMs: 1,
    outcome: "ok",
    generator: false,
  });
  assert.match(
    reasonOf(hook.admit({ activeTaskCount: 2, task: task("gold") })),
    /^tag "gold" holds 2 of 3 slots, its share is 1.5/,
  );
});

Deno.test('fairShare() puts tasks with no value, or a value of another kind, under the key ""', () => {
  const driver = driven({ key: "tenant", limit: 2 });
  const [other] = offer(driver, "y", 1);
  assert.ok(driver.offer({}));
  driver.settle(other);
  assert.equal(driver.offer({ tenant: { nested: true } }), null);
  assert.equal(driver.offer({ tenant: null }), null);
  const verdict = driver.decide({
    activeTaskCount: 1,
    task: { ...driver.docket[0].task, id: "again" },
  });
  assert.match(reasonOf(verdict), /^tenant "" holds 1 of 2 slots/);
});

Deno.test("fairShare() keys a number value as its string", () => {
  const driver = driven({ key: "tenant", limit: 2 });
  const [other] = offer(driver, "y", 1);
  assert.ok(driver.offer({ tenant: 7 }));
  driver.settle(other);
  assert.equal(driver.offer({ tenant: "7" }), null, '7 and "7" are one key');
});

Deno.test("fairShare() explains a rejection", () => {
  const driver = driven({ key: "tenant", limit: 3 });
  offer(driver, "b", 1);
  offer(driver, "a", 2);
  const full = driver.decide({
    activeTaskCount: 3,
    task: driver.docket[0].task,
  });
  assert.equal(reasonOf(full), "3 active tasks, limit 3");
  driver.settle(driver.docket[0]);
  const task = { ...driver.docket[0].task, id: "another" };
  assert.equal(
    reasonOf(driver.decide({ activeTaskCount: 2, task })),
    'tenant "a" holds 2 of 3 slots, its share is 1.5, and the 1 free are kept for other keys with work waiting',
  );
});

Deno.test("fairShare() frees a slot on settled, and ignores a task it never admitted", () => {
  const driver = driven({ key: "tenant", limit: 1 });
  const [entry] = offer(driver, "a", 1);
  driver.hook.settled({
    task: { id: "x", module: "m", export: "e", args: [] },
    queuedMs: 0,
    runMs: 1,
    outcome: "ok",
    generator: false,
  });
  assert.equal(offer(driver, "a", 1).length, 0);
  driver.settle(entry);
  assert.equal(offer(driver, "a", 1).length, 1);
});

Deno.test('fairShare({ limit: "adaptive" }) learns its limit as adaptiveConcurrency does', () => {
  const driver = driven({
    key: "tenant",
    limit: "adaptive",
    adaptive: { maxLimit: 12 },
  });
  assert.equal(driver.hook.limit, 1);
  for (let i = 0; i < 60; i++) driver.round(() => 10, 0.05);
  assert.equal(driver.hook.limit, 12);
  for (let i = 0; i < 30; i++) driver.round((index) => (index + 1) * 10, 1);
  assert.equal(driver.hook.limit, 1);
});

Deno.test("fairShare() rejects bad options with errors naming them", () => {
  const cases: [unknown, ErrorConstructor, RegExp][] = [
    [undefined, TypeError, /^fairShare: options must be an object like/],
    [
      { limit: 4 },
      TypeError,
      /"key" must name a context variable \(or be "tag"\), received undefined/,
    ],
    [{ key: "", limit: 4 }, TypeError, /"key" must name a context variable/],
    [
      { key: "t" },
      TypeError,
      /"limit" must be a positive integer or "adaptive", received undefined/,
    ],
    [
      { key: "t", limit: 0 },
      RangeError,
      /"limit" must be a positive integer, received 0/,
    ],
    [{ key: "t", limit: "auto" }, TypeError, /received "auto"/],
    [
      { key: "t", limit: 4, weights: [1] },
      TypeError,
      /"weights" must be an object of weights by key/,
    ],
    [
      { key: "t", limit: 4, weights: { a: 0 } },
      RangeError,
      /"weights.a" must be a positive finite number, received 0/,
    ],
    [
      { key: "t", limit: 4, idleMs: 0 },
      RangeError,
      /"idleMs" must be a positive finite number/,
    ],
    [
      { key: "t", limit: 4, adaptive: {} },
      TypeError,
      /"adaptive" applies only with limit "adaptive", and the limit is 4/,
    ],
    [
      { key: "t", limit: "adaptive", adaptive: { limit: 2 } },
      TypeError,
      /^fairShare: adaptive: unknown option "limit"/,
    ],
    [
      { key: "t", limit: "adaptive", adaptive: { minLimit: 0 } },
      RangeError,
      /^fairShare: adaptive: "minLimit" must be a positive integer/,
    ],
    [{ key: "t", limit: 4, share: 2 }, TypeError, /unknown option "share"/],
  ];
  for (const [options, ErrorClass, message] of cases) {
    assert.throws(
      () => fairShare(options as FairShareOptions),
      (error: unknown) => {
        assert.ok(
          error instanceof ErrorClass,
          `${JSON.stringify(options)}: ${error}`,
        );
        assert.match((error as Error).message, message);
        return true;
      },
    );
  }
});

/**
 * Tenant "a" offers ten times its share, tenant "b" half of its share, of
 * a worker running 8 tasks at once; tasks await 20 ms of I/O each.
 */
function flood(make: Parameters<typeof simulateIoWorker>[0]) {
  const durationMs = 5000;
  const run = simulateIoWorker(make, {
    durationMs,
    streams: [
      { tenant: "a", perSecond: 10 * 4 * 1000 / 20, costMs: () => 20 },
      { tenant: "b", perSecond: 2 * 1000 / 20, costMs: () => 20 },
    ],
  }, Infinity);
  const a = spanFigures(run, 0, durationMs, "a");
  const b = spanFigures(run, 0, durationMs, "b");
  return {
    bAccepted: b.accepted / (b.accepted + b.rejected),
    /** Tasks each held on average (Little's law: rate × 20 ms). */
    aHeld: a.goodput * 20 / 1000,
    bHeld: b.goodput * 20 / 1000,
  };
}

Deno.test("fairShare() keeps ≥ 95 % of a normal tenant's tasks while another floods, and lends the flooder the idle slots", () => {
  const fair = flood((clock) =>
    fairShareWithClock({ key: "tenant", limit: 8 }, clock)
  );
  assert.ok(fair.bAccepted >= 0.95, `b accepted ${fair.bAccepted}`);
  // "a" has its share (4), and the part of b's share b leaves idle but for
  // the one slot kept ready for b's next task.
  assert.ok(fair.aHeld >= 8 - fair.bHeld - 1.5, `a held ${fair.aHeld}`);
  assert.ok(fair.aHeld > 4.5, `a held ${fair.aHeld}`);

  const unfair = flood(() => maxActive({ limit: 8 }));
  assert.ok(
    unfair.bAccepted < 0.5,
    `b accepted ${unfair.bAccepted} without it`,
  );
});
