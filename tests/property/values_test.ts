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

/** A value with one uncloneable leaf somewhere inside, and that leaf's path. */
interface Planted {
  readonly value: unknown;
  readonly path: string;
  readonly what: string;
}

/** The path step to a property `key`, written as JavaScript. */
function propertyStep(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key)
    ? `.${key}`
    : `[${JSON.stringify(key)}]`;
}

/** Values around the planted leaf: cloneable, so they are never to blame. */
const filler = fc.oneof(
  fc.integer(),
  fc.string(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.boolean(), { maxKeys: 2 }),
);
const objectKey = fc.string().filter((key) => key !== "__proto__");

/** An uncloneable leaf, named as the error must name it. */
const leaf: fc.Arbitrary<Planted> = fc.constantFrom<[unknown, string]>(
  [() => 1, "a function"],
  [Symbol("planted"), "a symbol"],
  [new WeakMap(), "a WeakMap"],
  [Promise.resolve(), "a Promise"],
).map(([value, what]) => ({ value, path: "", what }));

/** `inner` wrapped in one container: an object, an array, a Map, a Set or an error's cause. */
function wrap(inner: fc.Arbitrary<Planted>): fc.Arbitrary<Planted> {
  const object = fc.tuple(
    inner,
    objectKey,
    fc.dictionary(objectKey, filler, { maxKeys: 3 }),
  ).map(([child, key, siblings]): Planted => {
    const value = { ...siblings };
    delete (value as Record<string, unknown>)[key];
    Object.defineProperty(value, key, {
      value: child.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return { ...child, value, path: propertyStep(key) + child.path };
  });
  const array = fc.tuple(inner, fc.array(filler, { maxLength: 3 }), fc.nat())
    .map(([child, siblings, at]): Planted => {
      const index = at % (siblings.length + 1);
      const value: unknown[] = [...siblings];
      value.splice(index, 0, child.value);
      return { ...child, value, path: `[${index}]${child.path}` };
    });
  const map = fc.tuple(inner, fc.string(), fc.array(filler, { maxLength: 2 }))
    .map(([child, key, others]): Planted => {
      const value = new Map<unknown, unknown>(
        others.map((other, i) => [i, other]),
      );
      value.set(key, child.value);
      return {
        ...child,
        value,
        path: `.get(${JSON.stringify(key)})${child.path}`,
      };
    });
  const set = fc.tuple(inner, fc.array(fc.integer(), { maxLength: 3 }))
    .map(([child, others]): Planted => {
      const value = new Set<unknown>(others);
      value.add(child.value);
      return {
        ...child,
        value,
        path: `.values()[${value.size - 1}]${child.path}`,
      };
    });
  const cause = inner.map((child): Planted => ({
    ...child,
    value: new Error("wrapper", { cause: child.value }),
    path: `.cause${child.path}`,
  }));
  return fc.oneof(object, array, map, set, cause);
}

/** A leaf planted 0 to 4 containers deep. */
const planted: fc.Arbitrary<Planted> = fc.nat({ max: 4 }).chain((depth) => {
  let arbitrary = leaf;
  for (let i = 0; i < depth; i++) arbitrary = wrap(arbitrary);
  return arbitrary;
});

Deno.test("encodeArgs() names the path of an uncloneable value nested anywhere in an argument", () => {
  fc.assert(
    fc.property(
      fc.array(cloneable, { maxLength: 3 }),
      planted,
      (before, { value, path, what }) => {
        const index = before.length;
        assert.throws(
          () => encodeArgs([...before, value]),
          (error: unknown) => {
            assert.ok(error instanceof TypeError);
            assert.ok(
              error.message.startsWith(
                `Cannot serialize the argument at index ${index}: args[${index}]${path} is ${what} (`,
              ),
              error.message,
            );
            assert.ok(
              error.cause instanceof Error,
              "the V8 error is the cause",
            );
            return true;
          },
        );
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
