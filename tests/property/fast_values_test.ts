import assert from "node:assert/strict";
import { deserialize, serialize } from "node:v8";
import fc from "npm:fast-check@4.11.0";
import { tryEncodeV8 } from "../../src/wire/v8_fast_encode.ts";
import { tryDecodeV8, UNDECODED } from "../../src/wire/v8_fast_decode.ts";
import {
  deserializeValue,
  serializeValue,
} from "../../src/wire/fast_values.ts";

/** Values V8 can clone, of every structured-clone type fast-check makes. */
const cloneable = fc.anything({
  maxDepth: 3,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
  withBigInt: true,
  withNullPrototype: true,
  withUnicodeString: true,
});

/** The common values the fast path is for, nested. */
const common = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.integer(),
    fc.double(),
    fc.constantFrom(-0, NaN, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 53),
    fc.string({ unit: "binary" }),
    fc.string({ unit: "grapheme-ascii" }),
    fc.boolean(),
    fc.constantFrom(null, undefined),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.array(fc.double(), { maxLength: 5 }),
    fc.dictionary(fc.string(), tie("value"), { maxKeys: 5 }),
    fc.dictionary(
      fc.oneof(fc.nat().map(String), fc.constant("__proto__")),
      tie("value"),
      { maxKeys: 3 },
    ),
  ),
})).value;

/**
 * Values the fast path must leave to V8 untouched: shared references,
 * cycles, holes, arrays with named properties, class instances.
 */
const tricky = fc.tuple(common, fc.nat({ max: 4 })).map(([base, kind]) => {
  const shared = { base };
  switch (kind) {
    case 0:
      return [shared, shared];
    case 1: {
      const cycle: Record<string, unknown> = { base };
      cycle.self = cycle;
      return cycle;
    }
    case 2: {
      const holey = [base, base];
      delete holey[0];
      return holey;
    }
    case 3:
      return Object.assign([base], { extra: 1 });
    default:
      return new (class Point {
        x = base;
      })();
  }
});

/** `deserialize(serialize(value))`, or the error serializing throws. */
function cloned(value: unknown): { value: unknown } | { error: string } {
  try {
    return { value: deserialize(serialize(value)) };
  } catch (error) {
    return { error: String(error) };
  }
}

Deno.test("tryEncodeV8() writes what V8 reads back as it reads its own serialization of the value", () => {
  fc.assert(
    fc.property(fc.oneof(common, cloneable, tricky), (value) => {
      const fast = tryEncodeV8(value);
      const expected = cloned(value);
      if (fast === undefined) return;
      assert.ok("value" in expected, "the fast path took a value V8 refuses");
      assert.deepStrictEqual(deserialize(fast), expected.value);
      assert.deepStrictEqual(tryDecodeV8(fast), expected.value);
    }),
    { numRuns: 2000 },
  );
});

Deno.test("tryEncodeV8() takes every common value, and none with shared references, cycles, holes, named array properties or prototypes", () => {
  fc.assert(
    fc.property(common, (value) => {
      assert.notEqual(tryEncodeV8(value), undefined);
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(tricky, (value) => {
      assert.equal(tryEncodeV8(value), undefined);
    }),
    { numRuns: 200 },
  );
});

Deno.test("tryDecodeV8() reads V8's serialization of any value as V8 does, or leaves it to V8", () => {
  fc.assert(
    fc.property(fc.oneof(common, cloneable, tricky), (value) => {
      let bytes: Uint8Array;
      try {
        bytes = serialize(value);
      } catch {
        return;
      }
      const fast = tryDecodeV8(bytes);
      if (tryEncodeV8(value) !== undefined) assert.notEqual(fast, UNDECODED);
      if (fast !== UNDECODED) assert.deepStrictEqual(fast, deserialize(bytes));
    }),
    { numRuns: 2000 },
  );
});

Deno.test("tryDecodeV8() never throws on garbage, and what it does decode V8 decodes alike", () => {
  const valid = fc.oneof(common, cloneable).map((value) => {
    try {
      return serialize(value);
    } catch {
      return serialize(null);
    }
  });
  const mutated = fc.tuple(
    valid,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      maxLength: 3,
    }),
    fc.nat(),
    fc.boolean(),
  ).map(([bytes, changes, cut, truncate]) => {
    const out = Uint8Array.from(bytes);
    for (const [at, value] of changes) out[at % out.length] = value;
    return truncate ? out.subarray(0, cut % out.length) : out;
  });
  const header = fc.uint8Array({ maxLength: 40 }).map((tail) =>
    Uint8Array.of(0xff, 0x0f, ...tail)
  );
  fc.assert(
    fc.property(fc.oneof(mutated, header), (bytes) => {
      const fast = tryDecodeV8(bytes);
      if (fast === UNDECODED) return;
      assert.deepStrictEqual(fast, deserialize(bytes));
    }),
    { numRuns: 3000 },
  );
});

Deno.test("serializeValue() and deserializeValue() round-trip every cloneable value as node:v8 does", () => {
  fc.assert(
    fc.property(fc.oneof(common, cloneable, tricky), (value) => {
      const expected = cloned(value);
      if ("error" in expected) {
        assert.throws(() => serializeValue(value));
        return;
      }
      assert.deepStrictEqual(
        deserializeValue(serializeValue(value)),
        expected.value,
      );
    }),
    { numRuns: 1000 },
  );
});
