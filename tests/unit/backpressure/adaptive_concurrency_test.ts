import assert from "node:assert/strict";
import {
  adaptiveConcurrency,
  type AdaptiveConcurrencyOptions,
  adaptiveConcurrencyWithClock,
} from "../../../src/backpressure/adaptive_concurrency.ts";
import { HookDriver } from "../../_helpers/hook_driver.ts";

const ALGORITHMS = ["gradient2", "aimd"] as const;

function driven(options: AdaptiveConcurrencyOptions = {}): HookDriver {
  const driver = new HookDriver();
  return driver.attach(
    adaptiveConcurrencyWithClock({ handoff: false, ...options }, driver.clock),
  );
}

/** Every task takes `ms`, however many run: tasks awaiting I/O. */
function flat(ms: number): (index: number) => number {
  return () => ms;
}

/** Tasks queue for one thread: the one at index `i` ends after `i + 1` costs. */
function queued(costMs: number): (index: number) => number {
  return (index) => (index + 1) * costMs;
}

for (const algorithm of ALGORITHMS) {
  Deno.test(`adaptiveConcurrency(${algorithm}) starts at the floor and rejects at the limit with a reason`, () => {
    const driver = driven({ algorithm, minLimit: 2 });
    assert.equal(driver.hook.limit, 2);
    assert.ok(driver.offer());
    assert.ok(driver.offer());
    const verdict = driver.decide({
      activeTaskCount: 2,
      task: driver.docket[0].task,
    });
    assert.ok(typeof verdict === "object" && verdict.reject);
    assert.match(
      verdict.reason!,
      new RegExp(`^2 active tasks, adaptive limit 2 \\(${algorithm}: `),
    );
  });

  Deno.test(`adaptiveConcurrency(${algorithm}) raises the limit while latency is flat and the thread idle`, () => {
    const driver = driven({ algorithm });
    const limits = [driver.hook.limit];
    for (let i = 0; i < 60; i++) limits.push(driver.round(flat(10), 0.05));
    assert.ok(limits.at(-1)! >= 10, `limits ${limits}`);
    for (let i = 1; i < limits.length; i++) {
      assert.ok(limits[i] >= limits[i - 1], `the limit fell: ${limits}`);
    }
  });

  Deno.test(`adaptiveConcurrency(${algorithm}) lowers the limit when latency climbs, never below the floor`, () => {
    const driver = driven({ algorithm, minLimit: 2, initialLimit: 40 });
    for (let i = 0; i < 5; i++) driver.round(flat(10), 0.05);
    const before = driver.hook.limit;
    const limits: number[] = [];
    for (let i = 0; i < 40; i++) limits.push(driver.round(queued(10), 1));
    assert.ok(limits[3] < before, `no fall from ${before}: ${limits}`);
    assert.equal(limits.at(-1), 2);
    assert.ok(
      limits.every((limit) => limit >= 2),
      `below the floor: ${limits}`,
    );
  });

  Deno.test(`adaptiveConcurrency(${algorithm}) does not grow while the thread is busy all the time`, () => {
    const driver = driven({ algorithm });
    for (let i = 0; i < 50; i++) {
      assert.equal(driver.round(flat(10), 1), 1, `round ${i}`);
    }
  });

  Deno.test(`adaptiveConcurrency(${algorithm}) does not grow on a one-slot CPU-bound worker idle between tasks`, () => {
    const driver = driven({ algorithm });
    for (let i = 0; i < 300; i++) {
      const running = driver.offer();
      assert.ok(running, `round ${i}: the slot was taken`);
      assert.equal(driver.offer(), null);
      driver.advance(5, 1);
      driver.settle(running);
      // The next task arrives 1 ms later: the thread idles 1 ms in 6.
      driver.advance(1, 0);
      assert.equal(driver.hook.limit, 1, `round ${i}`);
    }
  });

  Deno.test(`adaptiveConcurrency(${algorithm}) does not grow while the limit turns no task away`, () => {
    const driver = driven({ algorithm });
    for (let i = 0; i < 50; i++) {
      const entry = driver.offer()!;
      driver.advance(10, 0.05);
      driver.settle(entry);
    }
    assert.equal(driver.hook.limit, 1);
    assert.equal(driver.rejected, 0);
  });

  Deno.test(`adaptiveConcurrency(${algorithm}) learns nothing from cancelled tasks and generator streams`, () => {
    const driver = driven({ algorithm, initialLimit: 20 });
    for (let i = 0; i < 30; i++) {
      while (driver.offer() !== null);
      driver.advance(10_000, 1);
      const [first, ...rest] = driver.docket;
      driver.settle(first, "cancelled");
      for (const entry of rest) driver.settle(entry, "ok", true);
    }
    assert.equal(driver.hook.limit, 20);
  });

  Deno.test(`adaptiveConcurrency(${algorithm}) stays within maxLimit`, () => {
    const driver = driven({ algorithm, maxLimit: 5 });
    for (let i = 0; i < 100; i++) {
      assert.ok(driver.round(flat(10), 0) <= 5);
    }
    assert.equal(driver.hook.limit, 5);
  });
}

Deno.test("adaptiveConcurrency(gradient2) is not halved by one slow task among many", () => {
  const driver = driven({ initialLimit: 20 });
  for (let i = 0; i < 10; i++) driver.round(flat(10), 0.05);
  const before = driver.hook.limit;
  driver.round((index) => index === 3 ? 200 : 10, 0.05);
  driver.round(flat(10), 0.05);
  assert.ok(
    driver.hook.limit >= before - 2,
    `${before} → ${driver.hook.limit}`,
  );
});

Deno.test("adaptiveConcurrency(gradient2) shrinks by at most half per round", () => {
  const driver = driven({ initialLimit: 64 });
  driver.round(flat(10), 1);
  let limit = driver.hook.limit;
  for (let i = 0; i < 10; i++) {
    const next = driver.round(queued(10), 1);
    assert.ok(next >= Math.floor(limit / 2) - 1, `${limit} → ${next}`);
    limit = next;
  }
  assert.equal(limit, 1);
});

Deno.test("adaptiveConcurrency(aimd) lowers the limit once per round, by its backoff", () => {
  const driver = driven({ algorithm: "aimd", initialLimit: 20, backoff: 0.5 });
  driver.round(flat(10), 1);
  assert.equal(driver.round(flat(100), 1), 10);
  assert.equal(driver.round(flat(100), 1), 5);
});

Deno.test("adaptiveConcurrency() with no options uses every default", () => {
  const hook = adaptiveConcurrency();
  assert.equal(hook.limit, 1);
  assert.ok(Object.isFrozen(hook));
});

Deno.test("adaptiveConcurrency() rejects bad options with errors naming them", () => {
  const cases: [unknown, ErrorConstructor, RegExp][] = [
    [42, TypeError, /^adaptiveConcurrency: options must be an object like/],
    [{ limit: 4 }, TypeError, /unknown option "limit": expected algorithm, /],
    [
      { algorithm: "vegas" },
      TypeError,
      /"algorithm" must be "gradient2" or "aimd", received "vegas"/,
    ],
    [
      { minLimit: 0 },
      RangeError,
      /"minLimit" must be a positive integer, received 0/,
    ],
    [
      { maxLimit: "8" },
      TypeError,
      /"maxLimit" must be a positive integer, received "8"/,
    ],
    [
      { minLimit: 4, maxLimit: 2 },
      RangeError,
      /"maxLimit" \(2\) must not be below "minLimit" \(4\)/,
    ],
    [
      { initialLimit: 9, maxLimit: 8 },
      RangeError,
      /"initialLimit" must be within minLimit..maxLimit \(1..8\), received 9/,
    ],
    [
      { tolerance: 1 },
      RangeError,
      /"tolerance" must be a number greater than 1, received 1/,
    ],
    [
      { saturation: 0 },
      RangeError,
      /"saturation" must be a number in \(0, 1\], received 0/,
    ],
    [{ saturation: 1.5 }, RangeError, /"saturation"/],
    [
      { windowMs: -1 },
      RangeError,
      /"windowMs" must be a positive finite number, received -1/,
    ],
    [
      { smoothing: 2 },
      RangeError,
      /"smoothing" must be a number in \(0, 1\], received 2/,
    ],
    [
      { backoff: 0.3, algorithm: "aimd" },
      RangeError,
      /"backoff" must be a number in \[0.5, 1\), received 0.3/,
    ],
    [
      { backoff: 0.8 },
      TypeError,
      /"backoff" applies only to algorithm "aimd", and the algorithm is "gradient2"/,
    ],
    [
      { algorithm: "aimd", smoothing: 0.5 },
      TypeError,
      /"smoothing" applies only to algorithm "gradient2"/,
    ],
  ];
  for (const [options, ErrorClass, message] of cases) {
    assert.throws(
      () => adaptiveConcurrency(options as AdaptiveConcurrencyOptions),
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

Deno.test("adaptiveConcurrency() called with a task's context says to name it with options", () => {
  const ctx = {
    activeTaskCount: 0,
    task: { id: "t", module: "file:///srv/tasks.ts", export: "work", args: [] },
  };
  assert.throws(
    () => adaptiveConcurrency(ctx as unknown as AdaptiveConcurrencyOptions),
    /adaptiveConcurrency is a hook factory, and was called with a task's context: name it with options/,
  );
});
