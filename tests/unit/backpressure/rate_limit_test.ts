import assert from "node:assert/strict";
import {
  rateLimit,
  rateLimitWithClock,
} from "../../../src/backpressure/rate_limit.ts";
import { createBackpressureContext } from "../../../src/backpressure/context.ts";
import type {
  BackpressureHook,
  Verdict,
} from "../../../src/backpressure/types.ts";

const CTX = createBackpressureContext(0, {
  id: "t-1",
  module: "file:///srv/tasks.ts",
  export: "add",
  args: [],
});

/** A hook on a clock the test moves, and a function to ask it at a time. */
function clocked(
  options: { perSecond: number; burst?: number },
): (atMs: number) => Verdict {
  let nowMs = 0;
  const hook: BackpressureHook = rateLimitWithClock(options, () => nowMs);
  return (atMs) => {
    nowMs = atMs;
    return hook(CTX) as Verdict;
  };
}

/** How many of `count` calls at `atMs` are accepted. */
function acceptedAt(
  ask: (atMs: number) => Verdict,
  atMs: number,
  count: number,
): number {
  let accepted = 0;
  for (let i = 0; i < count; i++) if (ask(atMs) === false) accepted++;
  return accepted;
}

Deno.test("rateLimit() accepts a full burst at once, then rejects with a reason", () => {
  const ask = clocked({ perSecond: 5, burst: 3 });
  assert.equal(acceptedAt(ask, 1000, 3), 3);
  assert.deepEqual(ask(1000), {
    reject: true,
    reason: "more than 5 tasks per second (burst 3); next token in 200 ms",
  });
});

Deno.test("rateLimit() refills one token per 1/perSecond of elapsed time", () => {
  const ask = clocked({ perSecond: 2, burst: 1 });
  assert.equal(ask(0), false);
  assert.deepEqual(ask(499), {
    reject: true,
    reason: "more than 2 tasks per second (burst 1); next token in 1 ms",
  });
  assert.equal(ask(500), false);
  assert.notEqual(ask(500), false);
  assert.equal(ask(1000), false);
});

Deno.test("rateLimit() never holds more than burst tokens however long it was idle", () => {
  const ask = clocked({ perSecond: 10, burst: 4 });
  assert.equal(acceptedAt(ask, 0, 10), 4);
  assert.equal(acceptedAt(ask, 3_600_000, 10), 4);
});

Deno.test("rateLimit() admits perSecond tasks per second at a steady pace", () => {
  const ask = clocked({ perSecond: 100, burst: 1 });
  let accepted = 0;
  for (let atMs = 0; atMs < 10_000; atMs++) if (ask(atMs) === false) accepted++;
  assert.equal(accepted, 1000);
});

Deno.test("rateLimit() does not count a rejected task against the bucket", () => {
  const ask = clocked({ perSecond: 1, burst: 1 });
  assert.equal(ask(0), false);
  assert.equal(acceptedAt(ask, 500, 50), 0);
  assert.equal(ask(1000), false);
});

Deno.test("rateLimit() handles a fractional rate", () => {
  const ask = clocked({ perSecond: 0.5 });
  assert.equal(ask(0), false);
  assert.deepEqual(ask(1000), {
    reject: true,
    reason: "more than 0.5 tasks per second (burst 1); next token in 1000 ms",
  });
  assert.equal(ask(2000), false);
});

Deno.test("rateLimit() defaults burst to perSecond rounded down, at least 1", () => {
  assert.equal(acceptedAt(clocked({ perSecond: 7 }), 0, 20), 7);
  assert.equal(acceptedAt(clocked({ perSecond: 2.9 }), 0, 20), 2);
  assert.equal(acceptedAt(clocked({ perSecond: 0.1 }), 0, 20), 1);
});

Deno.test("rateLimit() keeps one bucket per hook", () => {
  const a = clocked({ perSecond: 1 });
  const b = clocked({ perSecond: 1 });
  assert.equal(a(0), false);
  assert.equal(b(0), false);
  assert.notEqual(a(0), false);
});

Deno.test("rateLimit() runs on the real clock with a full bucket", () => {
  const hook = rateLimit({ perSecond: 1, burst: 2 });
  assert.equal(hook(CTX), false);
  assert.equal(hook(CTX), false);
  const verdict = hook(CTX);
  assert.ok(
    typeof verdict === "object" && "reject" in verdict && verdict.reject,
  );
});

Deno.test("rateLimit() rejects a perSecond that is not a positive finite number", () => {
  for (
    const [perSecond, received] of [
      [0, "0"],
      [-1, "-1"],
      [Infinity, "Infinity"],
      [NaN, "NaN"],
      [5e-324, "5e-324"],
    ] as const
  ) {
    assert.throws(() => rateLimit({ perSecond }), {
      name: "RangeError",
      message:
        `rateLimit: "perSecond" must be a positive finite number, received ${received}`,
    });
  }
  assert.throws(() => rateLimit({ perSecond: "5" as unknown as number }), {
    name: "TypeError",
    message:
      'rateLimit: "perSecond" must be a positive finite number, received "5"',
  });
});

Deno.test("rateLimit() rejects a burst that is not a positive integer", () => {
  for (
    const [burst, received] of [[0, "0"], [1.5, "1.5"], [-2, "-2"]] as const
  ) {
    assert.throws(() => rateLimit({ perSecond: 1, burst }), {
      name: "RangeError",
      message:
        `rateLimit: "burst" must be a positive integer, received ${received}`,
    });
  }
  assert.throws(
    () => rateLimit({ perSecond: 1, burst: null as unknown as number }),
    {
      name: "TypeError",
      message: 'rateLimit: "burst" must be a positive integer, received null',
    },
  );
});

Deno.test("rateLimit() rejects options that are not an object or have unknown keys", () => {
  assert.throws(
    // @ts-expect-error: options are required
    () => rateLimit(),
    {
      name: "TypeError",
      message: /^rateLimit: options must be an object .*received undefined$/,
    },
  );
  assert.throws(
    // @ts-expect-error: "brust" is not an option
    () => rateLimit({ perSecond: 1, brust: 2 }),
    {
      name: "TypeError",
      message: 'rateLimit: unknown option "brust": expected perSecond, burst',
    },
  );
});
