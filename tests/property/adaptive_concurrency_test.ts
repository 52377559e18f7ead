import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import {
  type AdaptiveConcurrencyOptions,
  adaptiveConcurrencyWithClock,
} from "../../src/backpressure/adaptive_concurrency.ts";
import { fairShareWithClock } from "../../src/backpressure/fair_share.ts";
import type { TaskOutcome } from "../../src/backpressure/hook_object.ts";
import { HookDriver } from "../_helpers/hook_driver.ts";

/** What happens next to a worker: a task arrives, one ends, or time passes. */
type Op =
  | { readonly kind: "offer"; readonly tenant: string }
  | {
    readonly kind: "settle";
    readonly pick: number;
    readonly outcome: TaskOutcome;
    readonly generator: boolean;
  }
  | { readonly kind: "advance"; readonly ms: number; readonly busy: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("offer" as const),
      tenant: fc.constantFrom("a", "b", "c"),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("settle" as const),
      pick: fc.nat(),
      outcome: fc.constantFrom<TaskOutcome>("ok", "ok", "error", "cancelled"),
      generator: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      ms: fc.double({ min: 0, max: 400, noNaN: true }),
      busy: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
);

const options: fc.Arbitrary<AdaptiveConcurrencyOptions> = fc.oneof(
  fc.record({
    algorithm: fc.constant("gradient2" as const),
    smoothing: fc.double({ min: 0.01, max: 1, noNaN: true }),
  }, { requiredKeys: ["algorithm"] }),
  fc.record({
    algorithm: fc.constant("aimd" as const),
    backoff: fc.double({ min: 0.5, max: 0.99, noNaN: true }),
  }, { requiredKeys: ["algorithm"] }),
).chain((algorithm) =>
  fc.record({
    minLimit: fc.integer({ min: 1, max: 4 }),
    span: fc.integer({ min: 0, max: 60 }),
    start: fc.double({ min: 0, max: 1, noNaN: true }),
    tolerance: fc.double({ min: 1.05, max: 4, noNaN: true }),
    windowMs: fc.double({ min: 5, max: 500, noNaN: true }),
    saturation: fc.double({ min: 0.3, max: 1, noNaN: true }),
  }).map(({ minLimit, span, start, ...rest }) => ({
    ...algorithm,
    ...rest,
    minLimit,
    maxLimit: minLimit + span,
    initialLimit: minLimit + Math.floor(start * span),
  }))
);

/** Applies `step` to `driver`; `offer` only when `offerIf` allows. */
function apply(
  driver: HookDriver,
  step: Op,
  offerIf: () => boolean = () => true,
): void {
  switch (step.kind) {
    case "offer":
      if (offerIf()) driver.offer({ tenant: step.tenant });
      return;
    case "settle":
      if (driver.docket.length === 0) return;
      driver.settle(
        driver.docket[step.pick % driver.docket.length],
        step.outcome,
        step.generator,
      );
      return;
    case "advance":
      driver.advance(step.ms, step.busy);
  }
}

function adaptive(opts: AdaptiveConcurrencyOptions): HookDriver {
  const driver = new HookDriver();
  return driver.attach(
    adaptiveConcurrencyWithClock({ handoff: false, ...opts }, driver.clock),
  );
}

Deno.test("adaptiveConcurrency keeps its limit a whole number within [minLimit, maxLimit], and admits only below it", () => {
  fc.assert(
    fc.property(
      options,
      fc.array(op, { maxLength: 400, size: "large" }),
      (opts, ops) => {
        const driver = adaptive(opts);
        for (const step of ops) {
          // The driver fails the run if a task is admitted at the limit.
          apply(driver, step);
          const limit = driver.hook.limit;
          assert.ok(Number.isInteger(limit), `limit ${limit}`);
          assert.ok(limit >= opts.minLimit! && limit <= opts.maxLimit!);
          assert.ok(driver.docket.length <= opts.maxLimit!);
        }
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("adaptiveConcurrency never raises its limit while the thread is busy all the time", () => {
  fc.assert(
    fc.property(
      options,
      fc.array(op, { maxLength: 300, size: "large" }),
      (opts, ops) => {
        const driver = adaptive(opts);
        let limit = driver.hook.limit;
        for (const step of ops) {
          apply(
            driver,
            step.kind === "advance" ? { ...step, busy: 1 } : step,
          );
          assert.ok(
            driver.hook.limit <= limit,
            `${limit} → ${driver.hook.limit}`,
          );
          limit = driver.hook.limit;
        }
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("adaptiveConcurrency never raises its limit while it turns no task away", () => {
  fc.assert(
    fc.property(
      options,
      fc.array(op, { maxLength: 300, size: "large" }),
      (opts, ops) => {
        const driver = adaptive(opts);
        let limit = driver.hook.limit;
        for (const step of ops) {
          apply(driver, step, () => driver.docket.length < driver.hook.limit);
          assert.equal(driver.rejected, 0);
          assert.ok(
            driver.hook.limit <= limit,
            `${limit} → ${driver.hook.limit}`,
          );
          limit = driver.hook.limit;
        }
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("adaptiveConcurrency: a slower task never leaves a higher limit (for gradient2, of a task not admitted alone)", () => {
  fc.assert(
    fc.property(
      options,
      fc.array(op, { maxLength: 200, size: "large" }),
      fc.double({ min: 0, max: 1000, noNaN: true }),
      fc.double({ min: 0, max: 1000, noNaN: true }),
      (opts, ops, x, y) => {
        const [fast, slow] = x <= y ? [x, y] : [y, x];
        function limitAfter(runMs: number): number | null {
          const driver = adaptive(opts);
          for (const step of ops) apply(driver, step);
          const last = driver.docket.findLast((entry) =>
            opts.algorithm === "aimd" || !entry.alone
          );
          if (last === undefined) return null;
          driver.settle(last, "ok", false, runMs);
          return driver.hook.limit;
        }
        const afterFast = limitAfter(fast);
        if (afterFast === null) return;
        assert.ok(limitAfter(slow)! <= afterFast);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("fairShare never holds more than its limit, and admits a key holding nothing whenever a slot is free", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 10 }),
      fc.record({ a: fc.integer({ min: 1, max: 4 }) }),
      fc.array(op, { maxLength: 400, size: "large" }),
      (limit, weights, ops) => {
        const driver = new HookDriver();
        driver.attach(
          fairShareWithClock(
            { key: "tenant", limit, weights, idleMs: 100 },
            driver.clock,
          ),
        );
        for (const step of ops) {
          if (step.kind === "offer") {
            const holding = driver.docket.some((entry) =>
              (entry.task as { context?: { tenant?: string } }).context
                ?.tenant === step.tenant
            );
            const free = driver.docket.length < limit;
            const admitted = driver.offer({ tenant: step.tenant }) !== null;
            if (!holding && free) assert.ok(admitted, `${step.tenant} refused`);
            if (!free) assert.ok(!admitted);
          } else {
            apply(driver, step);
          }
          assert.ok(driver.docket.length <= limit);
        }
      },
    ),
    { numRuns: 200 },
  );
});
