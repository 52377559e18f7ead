import assert from "node:assert/strict";
import { memoryPressure } from "../../../src/backpressure/memory_pressure.ts";
import { createBackpressureContext } from "../../../src/backpressure/context.ts";

const CTX = createBackpressureContext(0, {
  id: "t-1",
  module: "file:///srv/tasks.ts",
  export: "add",
  args: [],
});

Deno.test("memoryPressure() accepts while the RSS is at or under the limit", () => {
  const hook = memoryPressure({ maxRssBytes: Number.MAX_SAFE_INTEGER });
  assert.equal(hook(CTX), false);
});

Deno.test("memoryPressure() rejects while the RSS is over the limit, naming both sizes in MiB", () => {
  const hook = memoryPressure({ maxRssBytes: 3 * 1024 * 1024 });
  const verdict = hook(CTX);
  assert.ok(typeof verdict === "object" && "reject" in verdict);
  assert.equal(verdict.reject, true);
  assert.match(
    verdict.reason ?? "",
    /^RSS \d+\.\d MiB is above the limit of 3\.0 MiB$/,
  );
});

Deno.test("memoryPressure() rejects a maxRssBytes that is not a number with a TypeError naming it", () => {
  assert.throws(
    () => memoryPressure({ maxRssBytes: "1G" as unknown as number }),
    {
      name: "TypeError",
      message:
        'memoryPressure: "maxRssBytes" must be a positive integer, received "1G"',
    },
  );
});

Deno.test("memoryPressure() rejects a maxRssBytes that is not a positive integer with a RangeError naming it", () => {
  for (
    const [maxRssBytes, received] of [[0, "0"], [-5, "-5"], [0.5, "0.5"], [
      Infinity,
      "Infinity",
    ]] as const
  ) {
    assert.throws(() => memoryPressure({ maxRssBytes }), {
      name: "RangeError",
      message:
        `memoryPressure: "maxRssBytes" must be a positive integer, received ${received}`,
    });
  }
});

Deno.test("memoryPressure() rejects options that are not an object or have unknown keys", () => {
  assert.throws(
    // @ts-expect-error: options are required
    () => memoryPressure(null),
    {
      name: "TypeError",
      message: /^memoryPressure: options must be an object .*received null$/,
    },
  );
  assert.throws(
    // @ts-expect-error: "maxRss" is not an option
    () => memoryPressure({ maxRss: 1 }),
    {
      name: "TypeError",
      message: 'memoryPressure: unknown option "maxRss": expected maxRssBytes',
    },
  );
});
