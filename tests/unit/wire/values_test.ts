import assert from "node:assert/strict";
import {
  decodeArgs,
  decodeValue,
  encodeArgs,
  encodeValue,
} from "../../../src/wire/values.ts";

function roundTrip(value: unknown): unknown {
  return decodeValue(encodeValue(value));
}

Deno.test("encodeValue() keeps -0, NaN and bigints apart from their look-alikes", () => {
  assert.ok(Object.is(roundTrip(-0), -0));
  assert.ok(Number.isNaN(roundTrip(NaN)));
  assert.equal(roundTrip(2n ** 70n), 2n ** 70n);
  assert.equal(roundTrip(undefined), undefined);
});

Deno.test("encodeValue() keeps the classes of Date, Map, Set, RegExp and typed arrays", () => {
  const value = {
    date: new Date(86_400_000),
    map: new Map<unknown, unknown>([[1, "one"], [{ k: 1 }, new Set([2])]]),
    set: new Set(["a", 1n]),
    regexp: /wool/gi,
    floats: new Float64Array([1.5, -0, NaN]),
    bigints: new BigInt64Array([-(2n ** 63n)]),
    view: new DataView(new Uint8Array([1, 2, 3]).buffer),
  };
  const copy = roundTrip(value) as typeof value;
  assert.deepStrictEqual(copy, value);
  assert.ok(copy.date instanceof Date);
  assert.ok(copy.floats instanceof Float64Array);
  assert.ok(copy.bigints instanceof BigInt64Array);
});

Deno.test("decodeValue() reads bytes at any offset and never aliases them", () => {
  const bytes = encodeValue({ data: new Uint8Array([1, 2, 3]) });
  const padded = new Uint8Array(bytes.length + 5);
  padded.set(bytes, 5);
  const input = padded.subarray(5);
  const copy = decodeValue(input) as { data: Uint8Array };
  assert.deepStrictEqual([...copy.data], [1, 2, 3]);
  input.fill(0);
  assert.deepStrictEqual([...copy.data], [1, 2, 3], "the input was reused");
});

Deno.test("encodeValue() keeps a cycle pointing at its root", () => {
  const root: { name: string; self?: unknown } = { name: "root" };
  root.self = root;
  const copy = roundTrip(root) as typeof root;
  assert.equal(copy.self, copy);
});

Deno.test("encodeValue() rejects a value V8 cannot clone with a TypeError naming what it was", () => {
  assert.throws(
    () => encodeValue({ callback() {} }, 'result of "run"'),
    (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /^Cannot serialize the result of "run": /);
      assert.ok(error.cause instanceof Error);
      return true;
    },
  );
});

Deno.test("decodeValue() rejects bytes that are not V8 serialization with a TypeError", () => {
  assert.throws(
    () => decodeValue(new Uint8Array([0xff, 0x0f, 0x6f]), "result"),
    (error: unknown) =>
      error instanceof TypeError &&
      error.message.startsWith("Cannot deserialize the result: "),
  );
});

Deno.test("encodeArgs() names the first argument it cannot serialize", () => {
  assert.throws(
    () => encodeArgs([1, "two", Symbol("three"), () => 4]),
    {
      name: "TypeError",
      message: /^Cannot serialize the argument at index 2: /,
    },
  );
});

Deno.test("encodeArgs() and decodeArgs() round-trip an argument list", () => {
  const args = [1, "two", [3], { four: new Map([[4, 4]]) }];
  assert.deepStrictEqual(decodeArgs(encodeArgs(args)), args);
});

Deno.test("decodeArgs() reads no bytes as no arguments", () => {
  assert.deepStrictEqual(decodeArgs(new Uint8Array()), []);
});

Deno.test("decodeArgs() rejects a value that is not an array with a TypeError", () => {
  for (
    const [value, kind] of [[{ 0: 1 }, "object"], ["1", "string"], [
      undefined,
      "undefined",
    ]]
  ) {
    assert.throws(() => decodeArgs(encodeValue(value)), {
      name: "TypeError",
      message:
        `Cannot decode the arguments: expected an array, received ${kind}`,
    });
  }
});
