import assert from "node:assert/strict";
import {
  resourceLimitFlags,
  semiSpaceSizeMb,
  validateResourceLimits,
} from "../../../src/process/resource_limits.ts";

function assertRejected(
  value: unknown,
  kind: typeof TypeError | typeof RangeError,
  pattern: RegExp,
): void {
  assert.throws(
    () => validateResourceLimits(value),
    (error: unknown) => {
      assert.ok(
        error instanceof kind && error.constructor === kind,
        `not a ${kind.name}: ${error}`,
      );
      assert.match(error.message, /^Cannot start worker pool: /);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

Deno.test("resourceLimitFlags() makes one --v8-flags argument: old space in MiB, a third of the young generation per semi-space, the stack in KiB", () => {
  assert.equal(
    resourceLimitFlags({
      maxOldGenerationSizeMb: 64,
      maxYoungGenerationSizeMb: 12,
      stackSizeMb: 2,
    }),
    "--v8-flags=--max-old-space-size=64,--max-semi-space-size=4,--stack-size=2048",
  );
  assert.equal(
    resourceLimitFlags({ maxOldGenerationSizeMb: 32 }),
    "--v8-flags=--max-old-space-size=32",
  );
  assert.equal(
    resourceLimitFlags({ maxYoungGenerationSizeMb: 48 }),
    "--v8-flags=--max-semi-space-size=16",
  );
  assert.equal(
    resourceLimitFlags({ stackSizeMb: 0.5 }),
    "--v8-flags=--stack-size=512",
  );
});

Deno.test("semiSpaceSizeMb() is a third of the young generation, rounded to a whole MiB, at least 1", () => {
  assert.equal(semiSpaceSizeMb(3), 1);
  assert.equal(semiSpaceSizeMb(16), 5);
  assert.equal(semiSpaceSizeMb(17), 6);
  assert.equal(semiSpaceSizeMb(1), 1);
  assert.equal(semiSpaceSizeMb(0.1), 1);
});

Deno.test("resourceLimitFlags() gives at least 1 KiB of stack", () => {
  assert.equal(
    resourceLimitFlags({ stackSizeMb: 0.0001 }),
    "--v8-flags=--stack-size=1",
  );
});

Deno.test("validateResourceLimits() keeps the limits given, frozen, and none as undefined", () => {
  const limits = validateResourceLimits({
    maxOldGenerationSizeMb: 64,
    stackSizeMb: 1.5,
  });
  assert.deepEqual(limits, { maxOldGenerationSizeMb: 64, stackSizeMb: 1.5 });
  assert.ok(Object.isFrozen(limits));
  assert.equal(validateResourceLimits(undefined), undefined);
  assert.equal(validateResourceLimits({}), undefined);
  assert.equal(
    validateResourceLimits({ maxYoungGenerationSizeMb: undefined }),
    undefined,
  );
});

Deno.test("validateResourceLimits() refuses what is not an object, and unknown keys, with a TypeError naming them", () => {
  assertRejected(
    null,
    TypeError,
    /"worker\.resourceLimits" must be an object, received null/,
  );
  assertRejected(64, TypeError, /"worker\.resourceLimits" must be an object/);
  assertRejected([], TypeError, /"worker\.resourceLimits" must be an object/);
  assertRejected(
    { codeRangeSizeMb: 16 },
    TypeError,
    /unknown option "worker\.resourceLimits\.codeRangeSizeMb" \(known: maxOldGenerationSizeMb, maxYoungGenerationSizeMb, stackSizeMb\)/,
  );
});

Deno.test("validateResourceLimits() refuses a limit that is not a number with a TypeError naming it", () => {
  for (
    const name of [
      "maxOldGenerationSizeMb",
      "maxYoungGenerationSizeMb",
      "stackSizeMb",
    ]
  ) {
    assertRejected(
      { [name]: "64" },
      TypeError,
      new RegExp(
        `"worker\\.resourceLimits\\.${name}" must be a number of MiB, received "64"`,
      ),
    );
  }
});

Deno.test("validateResourceLimits() refuses a limit out of range with a RangeError naming it", () => {
  for (const value of [0, -1, NaN, Infinity, 2 ** 53, 32.5]) {
    assertRejected(
      { maxOldGenerationSizeMb: value },
      RangeError,
      new RegExp(
        `"worker\\.resourceLimits\\.maxOldGenerationSizeMb" must be a whole number of MiB ≥ 1 \\(V8 takes whole MiB\\), received ${value}`,
      ),
    );
  }
  for (const name of ["maxYoungGenerationSizeMb", "stackSizeMb"]) {
    for (const value of [0, -1, NaN, Infinity, 2 ** 53]) {
      assertRejected(
        { [name]: value },
        RangeError,
        new RegExp(
          `"worker\\.resourceLimits\\.${name}" must be a number of MiB > 0, received ${value}`,
        ),
      );
    }
  }
});
