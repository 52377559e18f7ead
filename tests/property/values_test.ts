import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import {
  decodeArgs,
  decodeValue,
  encodeArgs,
  encodeValue,
} from "../../src/wire/values.ts";

/**
 * Values V8's structured serialization carries: primitives (with bigint,
 * -0 and NaN), Date, Map, Set, typed arrays, boxed values, sparse and
 * nested arrays, nested objects. Null-prototype objects are left out: the
 * structured clone algorithm gives every object `Object.prototype` back.
 */
const cloneable: fc.Arbitrary<unknown> = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withBoxedValues: true,
  withUnicodeString: true,
  maxDepth: 4,
});

/** Values no structured clone can carry. */
const uncloneable: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(() => 1),
  fc.constant(Symbol("not cloneable")),
  fc.constant(new WeakMap()),
  fc.constant(Promise.resolve()),
  fc.string().map((key) => ({ [key]: () => key })),
  fc.nat().map((n) => [n, Symbol.for(String(n))]),
);

Deno.test("encodeValue() and decodeValue() round-trip every structured-clone value", () => {
  fc.assert(
    fc.property(cloneable, (value) => {
      assert.deepStrictEqual(decodeValue(encodeValue(value)), value);
    }),
  );
});

Deno.test("encodeValue() and decodeValue() keep cycles and shared references", () => {
  fc.assert(
    fc.property(
      cloneable,
      fc.constantFrom("object", "array", "map", "set"),
      (inner, shape) => {
        const shared = { inner };
        let root:
          | Record<string, unknown>
          | unknown[]
          | Map<unknown, unknown>
          | Set<unknown>;
        switch (shape) {
          case "object":
            root = { a: shared, b: shared };
            root.self = root;
            break;
          case "array":
            root = [shared, shared];
            root.push(root);
            break;
          case "map":
            root = new Map<unknown, unknown>([["a", shared], ["b", shared]]);
            root.set("self", root);
            break;
          case "set":
            root = new Set<unknown>([shared]);
            root.add(root);
            break;
        }
        const copy = decodeValue(encodeValue(root));
        assert.deepStrictEqual(copy, root);
        const parts = copy instanceof Map
          ? [copy.get("a"), copy.get("b"), copy.get("self")]
          : copy instanceof Set
          ? [[...copy][0], [...copy][0], [...copy][1]]
          : Array.isArray(copy)
          ? copy
          : [
            (copy as Record<string, unknown>).a,
            (copy as Record<string, unknown>).b,
            (copy as Record<string, unknown>).self,
          ];
        assert.equal(parts[0], parts[1], "a shared reference stays shared");
        assert.equal(parts[2], copy, "a cycle stays a cycle");
      },
    ),
  );
});

Deno.test("encodeArgs() and decodeArgs() round-trip any argument list", () => {
  fc.assert(
    fc.property(fc.array(cloneable, { maxLength: 5 }), (args) => {
      assert.deepStrictEqual(decodeArgs(encodeArgs(args)), args);
    }),
  );
});

Deno.test("encodeArgs() names the index of the first argument it cannot serialize", () => {
  fc.assert(
    fc.property(
      fc.array(cloneable, { maxLength: 4 }),
      fc.nat(),
      uncloneable,
      fc.array(fc.oneof(cloneable, uncloneable), { maxLength: 3 }),
      (before, at, bad, after) => {
        const index = at % (before.length + 1);
        const args = [...before.slice(0, index), bad, ...after];
        assert.throws(() => encodeArgs(args), (error: unknown) => {
          assert.ok(error instanceof TypeError);
          assert.match(
            error.message,
            new RegExp(`^Cannot serialize the argument at index ${index}: `),
          );
          assert.ok(error.cause instanceof Error, "the V8 error is the cause");
          return true;
        });
      },
    ),
  );
});

Deno.test("decodeArgs() rejects anything but an array with a TypeError", () => {
  fc.assert(
    fc.property(
      cloneable.filter((value) => !Array.isArray(value)),
      (value) => {
        assert.throws(
          () => decodeArgs(encodeValue(value)),
          (error: unknown) =>
            error instanceof TypeError &&
            error.message.startsWith(
              "Cannot decode the arguments: expected an array, received ",
            ),
        );
      },
    ),
  );
});
