import assert from "node:assert/strict";
import { maxActive } from "../../../src/backpressure/max_active.ts";
import { createBackpressureContext } from "../../../src/backpressure/context.ts";
import type { BackpressureContext } from "../../../src/backpressure/types.ts";

function context(activeTaskCount: number): BackpressureContext {
  return createBackpressureContext(activeTaskCount, {
    id: "t-1",
    module: "file:///srv/tasks.ts",
    export: "add",
    args: [],
  });
}

Deno.test("maxActive() accepts while fewer than limit tasks are active", () => {
  const hook = maxActive({ limit: 4 });
  for (const active of [0, 1, 2, 3]) {
    assert.equal(hook(context(active)), false);
  }
});

Deno.test("maxActive() rejects at and above the limit with a reason naming both numbers", () => {
  const hook = maxActive({ limit: 4 });
  assert.deepEqual(hook(context(4)), {
    reject: true,
    reason: "4 active tasks, limit 4",
  });
  assert.deepEqual(hook(context(9)), {
    reject: true,
    reason: "9 active tasks, limit 4",
  });
  assert.deepEqual(maxActive({ limit: 1 })(context(1)), {
    reject: true,
    reason: "1 active task, limit 1",
  });
});

Deno.test("maxActive() rejects a limit that is not a number with a TypeError naming it", () => {
  for (
    const [limit, received] of [["8", '"8"'], [undefined, "undefined"], [
      null,
      "null",
    ]]
  ) {
    assert.throws(() => maxActive({ limit: limit as unknown as number }), {
      name: "TypeError",
      message:
        `maxActive: "limit" must be a positive integer, received ${received}`,
    });
  }
});

Deno.test("maxActive() rejects a limit that is not a positive integer with a RangeError naming it", () => {
  for (
    const [limit, received] of [[0, "0"], [-1, "-1"], [1.5, "1.5"], [
      NaN,
      "NaN",
    ], [Infinity, "Infinity"]] as const
  ) {
    assert.throws(() => maxActive({ limit }), {
      name: "RangeError",
      message:
        `maxActive: "limit" must be a positive integer, received ${received}`,
    });
  }
});

Deno.test("maxActive() rejects options that are not an object or have unknown keys", () => {
  assert.throws(
    // @ts-expect-error: options are required
    () => maxActive(),
    {
      name: "TypeError",
      message:
        "maxActive: options must be an object like { limit: 8 }, received undefined",
    },
  );
  assert.throws(
    // @ts-expect-error: a number is not options
    () => maxActive(8),
    { name: "TypeError", message: /received 8$/ },
  );
  assert.throws(
    // @ts-expect-error: "max" is not an option
    () => maxActive({ limit: 8, max: 2 }),
    {
      name: "TypeError",
      message: 'maxActive: unknown option "max": expected limit',
    },
  );
});
