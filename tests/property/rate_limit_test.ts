import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import { rateLimitWithClock } from "../../src/backpressure/rate_limit.ts";
import { createBackpressureContext } from "../../src/backpressure/context.ts";

const CTX = createBackpressureContext(0, {
  id: "t-1",
  module: "file:///srv/tasks.ts",
  export: "add",
  args: [],
});

/** Runs a rate-limit hook at the given times; returns the accepted times. */
function acceptedTimes(
  options: { perSecond: number; burst: number },
  times: readonly number[],
): number[] {
  let nowMs = 0;
  const hook = rateLimitWithClock(options, () => nowMs);
  const accepted: number[] = [];
  for (const t of times) {
    nowMs = t;
    if (hook(CTX) === false) accepted.push(t);
  }
  return accepted;
}

const options = fc.record({
  perSecond: fc.oneof(
    fc.integer({ min: 1, max: 1000 }),
    fc.double({ min: 0.1, max: 1000, noNaN: true }),
  ),
  burst: fc.integer({ min: 1, max: 20 }),
});

const callTimes = fc.array(fc.integer({ min: 0, max: 20_000 }), {
  maxLength: 300,
}).map((times) => times.sort((a, b) => a - b));

Deno.test("rateLimitWithClock() never admits more than burst + rate × window in any window", () => {
  fc.assert(
    fc.property(options, callTimes, (opts, times) => {
      const accepted = acceptedTimes(opts, times);
      for (let i = 0; i < accepted.length; i++) {
        for (let j = i; j < accepted.length; j++) {
          const windowMs = accepted[j] - accepted[i];
          const allowed = opts.burst + windowMs * opts.perSecond / 1000;
          assert.ok(
            j - i + 1 <= Math.floor(allowed + 1e-6),
            `${j - i + 1} tasks admitted in ${windowMs} ms`,
          );
        }
      }
    }),
  );
});

Deno.test("rateLimitWithClock() admits every call when calls are spaced by the refill time", () => {
  fc.assert(
    fc.property(options, fc.integer({ min: 1, max: 200 }), (opts, count) => {
      const stepMs = Math.ceil(1000 / opts.perSecond);
      const times = Array.from({ length: count }, (_, i) => i * stepMs);
      assert.equal(acceptedTimes(opts, times).length, count);
    }),
  );
});

Deno.test("rateLimitWithClock() admits a full burst at once after any idle time", () => {
  fc.assert(
    fc.property(options, fc.nat(1_000_000), (opts, idleMs) => {
      const times = Array.from({ length: opts.burst + 5 }, () => idleMs);
      assert.equal(acceptedTimes(opts, times).length, opts.burst);
    }),
  );
});
