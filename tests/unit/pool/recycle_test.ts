import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import type { WorkerId } from "../../../src/loadbalancer/load_balancer.ts";
import { validatePoolOptions } from "../../../src/pool/options.ts";
import {
  NO_RECYCLING,
  RecyclePolicy,
  validateRecycleOptions,
} from "../../../src/pool/recycle.ts";

const W1 = "w1" as WorkerId;
const W2 = "w2" as WorkerId;
const MiB = 1024 * 1024;

Deno.test("validateRecycleOptions() means no recycling without the option, and keeps the limits given", () => {
  assert.deepStrictEqual(validateRecycleOptions(undefined), NO_RECYCLING);
  assert.deepStrictEqual(validateRecycleOptions({}), NO_RECYCLING);
  assert.deepStrictEqual(validateRecycleOptions({ maxTasks: 3 }), {
    maxTasks: 3,
    maxRssBytes: Infinity,
  });
  assert.deepStrictEqual(
    validateRecycleOptions({ maxTasks: 1, maxRssBytes: 512 * MiB }),
    { maxTasks: 1, maxRssBytes: 512 * MiB },
  );
  assert.deepStrictEqual(
    validatePoolOptions({ recycle: { maxRssBytes: 1 } }).recycle,
    { maxTasks: Infinity, maxRssBytes: 1 },
  );
});

Deno.test("validatePoolOptions() rejects a bad recycle option before anything starts, naming it", () => {
  // @ts-expect-error recycle is an object
  assert.throws(() => validatePoolOptions({ recycle: 100 }), {
    name: "TypeError",
    message:
      'Cannot start worker pool: "recycle" must be an object, received 100',
  });
  // @ts-expect-error maxTasks is a number
  assert.throws(() => validatePoolOptions({ recycle: { maxTasks: "9" } }), {
    name: "TypeError",
    message:
      'Cannot start worker pool: "recycle.maxTasks" must be an integer, received "9"',
  });
  assert.throws(() => validatePoolOptions({ recycle: { maxRssBytes: 0 } }), {
    name: "RangeError",
    message:
      'Cannot start worker pool: "recycle.maxRssBytes" must be an integer ≥ 1, received 0',
  });
  // @ts-expect-error not a recycle limit
  assert.throws(() => validatePoolOptions({ recycle: { maxAgeMs: 1 } }), {
    name: "TypeError",
    message:
      'Cannot start worker pool: unknown option "recycle.maxAgeMs" (known: maxTasks, maxRssBytes)',
  });
});

Deno.test("validateRecycleOptions() rejects any invalid limit with a TypeError or RangeError naming it", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("maxTasks", "maxRssBytes"),
      fc.oneof(
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.bigInt(),
        fc.object({ maxDepth: 1 }),
        fc.double(),
        fc.integer({ max: 0 }),
      ),
      (name, value) => {
        fc.pre(!(Number.isSafeInteger(value) && (value as number) >= 1));
        assert.throws(
          () => validateRecycleOptions({ [name]: value }),
          (error: unknown) => {
            const expected = typeof value === "number" ? RangeError : TypeError;
            assert.ok(error instanceof expected, String(error));
            assert.ok(
              error.message.startsWith(
                `Cannot start worker pool: "recycle.${name}" must be an integer`,
              ),
              error.message,
            );
            return true;
          },
        );
      },
    ),
    { numRuns: 300 },
  );
  for (const value of [null, [], "x", () => {}]) {
    assert.throws(() => validateRecycleOptions(value), TypeError);
  }
});

Deno.test("RecyclePolicy.taskAccepted() answers maxTasks from each worker's maxTasks-th task on, counting workers apart", () => {
  const policy = new RecyclePolicy({ maxTasks: 3, maxRssBytes: Infinity });
  const answers = [W1, W2, W1, W1, W2, W1].map((id) => policy.taskAccepted(id));
  assert.deepEqual(answers, [
    undefined,
    undefined,
    undefined,
    "maxTasks",
    undefined,
    "maxTasks",
  ]);
  policy.forget(W1);
  assert.equal(policy.taskAccepted(W1), undefined);
  assert.equal(policy.taskAccepted(W2), "maxTasks");
});

Deno.test("RecyclePolicy.rssReported() answers maxRssBytes over the limit, only for a worker that has run a task", () => {
  const policy = new RecyclePolicy({ maxTasks: Infinity, maxRssBytes: 100 });
  assert.equal(policy.watchesRss, true);
  assert.equal(policy.rssReported(W1, 500), undefined, "a fresh worker");
  assert.equal(policy.taskAccepted(W1), undefined);
  assert.equal(policy.rssReported(W1, 100), undefined);
  assert.equal(policy.rssReported(W1, 101), "maxRssBytes");
  policy.forget(W1);
  assert.equal(policy.rssReported(W1, 500), undefined);
});

Deno.test("RecyclePolicy with no limits never answers and does not watch RSS", () => {
  const policy = new RecyclePolicy(NO_RECYCLING);
  assert.equal(policy.watchesRss, false);
  for (let i = 0; i < 1000; i++) {
    assert.equal(policy.taskAccepted(W1), undefined);
  }
  assert.equal(policy.rssReported(W1, Number.MAX_SAFE_INTEGER), undefined);
});
