import assert from "node:assert/strict";
import { deserialize, serialize } from "node:v8";
import { tryEncodeV8 } from "../../../src/wire/v8_fast_encode.ts";
import { tryDecodeV8, UNDECODED } from "../../../src/wire/v8_fast_decode.ts";
import {
  deserializeValue,
  serializeValue,
} from "../../../src/wire/fast_values.ts";
import * as namespace from "../../../src/wire/fast_values.ts";

Deno.test("tryEncodeV8() writes exactly the bytes of node:v8 serialize for common values", () => {
  const twoByte = "Ā€😀";
  const values: unknown[] = [
    3,
    -1,
    0,
    -0,
    NaN,
    Infinity,
    1.5,
    2 ** 31 - 1,
    2 ** 31,
    -(2 ** 31),
    2 ** 53,
    "",
    "add",
    "é".repeat(200),
    twoByte,
    "x".repeat(4096),
    true,
    false,
    null,
    undefined,
    [],
    [1, 2],
    [1.5, 2],
    [NaN, 1],
    ["a", 1, 1.5, 2 ** 31],
    ["x", twoByte], // a padding byte before the two-byte string
    ["xy", twoByte], // none
    [[1], [2, [3]], { k1: [4] }],
    {},
    { k2: 1, k3: "x", 7: null, 4294967294: 1, 4294967295: 2, "01": 3 },
    { k4: { k5: { k6: [null, undefined, "u"] } } },
    Object.create(null),
    JSON.parse('{"__proto__": 5}'),
    Array.from({ length: 1024 }, (_, i) => i),
  ];
  for (const value of values) {
    assert.deepEqual(
      [...(tryEncodeV8(value) ?? [])],
      [...serialize(value)],
      `for ${Deno.inspect(value).slice(0, 60)}`,
    );
  }
});

Deno.test("tryEncodeV8() leaves to V8 whatever it does not write, and runs none of the value's code", () => {
  let calls = 0;
  const getter = {
    get x() {
      calls++;
      return 1;
    },
  };
  const arrayGetter = [1];
  Object.defineProperty(arrayGetter, 0, {
    get: () => calls++,
    enumerable: true,
  });
  const traps = new Proxy({}, {
    get: () => calls++,
    getPrototypeOf: () => (calls++, null),
    ownKeys: () => (calls++, []),
    getOwnPropertyDescriptor: () => (calls++, undefined),
  });
  const shared = { a: 1 };
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  const holey = [1, 2];
  delete holey[0];
  const named = Object.assign([1], { extra: true });
  const swappedMap = Object.setPrototypeOf(new Map(), Object.prototype);
  const swappedError = Object.setPrototypeOf(new Error("e"), null);
  const tagged = { [Symbol.toStringTag]: "Tagged" };
  const deep = Array.from({ length: 40 }).reduce<unknown>(
    (inner) => [inner],
    1,
  );
  const many = Array.from({ length: 300 }, () => ({}));
  function args(..._: unknown[]) {
    return arguments;
  }
  const values: [string, unknown][] = [
    ["a getter", getter],
    ["an element getter", arrayGetter],
    ["a proxy", traps],
    ["a shared reference", [shared, shared]],
    ["a cycle", cycle],
    ["a hole", holey],
    ["a named array property", named],
    ["a class instance", new (class Point {})()],
    ["a Map", new Map()],
    ["a Map with Object.prototype", swappedMap],
    ["an error with a null prototype", swappedError],
    ["an own Symbol.toStringTag", tagged],
    ["an arguments object", args(1)],
    ["a module namespace", namespace],
    ["a Date", new Date(0)],
    ["a typed array", new Uint8Array(2)],
    ["a bigint", 1n],
    ["a symbol", Symbol("s")],
    ["a function", () => {}],
    ["nesting 40 deep", deep],
    ["300 objects", many],
    ["a string over 4096 units", "x".repeat(4097)],
    ["an array over 1024 elements", new Array(1025).fill(0)],
  ];
  for (const [what, value] of values) {
    assert.equal(tryEncodeV8(value), undefined, what);
  }
  assert.equal(calls, 0, "a getter or a trap ran");
  // The fallback is node:v8 itself: the getter runs once, as it always did.
  assert.deepEqual(deserializeValue(serializeValue(getter)), { x: 1 });
  assert.equal(calls, 1);
});

Deno.test("tryDecodeV8() builds objects as V8 does: own __proto__ keys, integer keys from numbers", () => {
  const bytes = serialize(JSON.parse('{"__proto__": {"a": 1}, "2": "two"}'));
  const decoded = tryDecodeV8(bytes) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
  assert.deepEqual(Object.keys(decoded), ["2", "__proto__"]);
  assert.deepStrictEqual(decoded, deserialize(bytes));
});

Deno.test("tryDecodeV8() reads tags V8 reads but does not write today, and ignores trailing bytes as V8 does", () => {
  const cases = [
    Uint8Array.of(0xff, 0x0f, 0x55, 0x85, 0x01), // U: uint32 133
    Uint8Array.of(0xff, 0x0f, 0x00, 0x00, 0x54), // padding, then true
    Uint8Array.of(0xff, 0x0f, 0x49, 0x04, 0x99, 0x99), // 2, then garbage
    Uint8Array.of(
      0xff,
      0x0f,
      0x6f,
      0x4e,
      0,
      0,
      0,
      0,
      0,
      0,
      0xf8,
      0x3f,
      0x30,
      0x7b,
      0x01,
    ), // {"1.5": null}
  ];
  for (const bytes of cases) {
    const decoded = tryDecodeV8(bytes);
    assert.notEqual(decoded, UNDECODED);
    assert.deepStrictEqual(decoded, deserialize(bytes));
  }
});

Deno.test("tryDecodeV8() reads sparse arrays, keeping their holes, as V8 does", () => {
  const holey = [1, 2, "x"];
  delete holey[0];
  holey[6] = 7;
  const bytes = serialize(holey);
  assert.equal(bytes[2], 0x61); // `a`: sparse
  const decoded = tryDecodeV8(bytes) as unknown[];
  assert.deepStrictEqual(decoded, deserialize(bytes));
  assert.equal(decoded.length, 7);
  assert.ok(!(0 in decoded) && !(3 in decoded));
  // A literal V8 keeps holey is written sparse with no hole at all.
  assert.deepStrictEqual(tryDecodeV8(serialize([undefined, 1])), [
    undefined,
    1,
  ]);
});

Deno.test("tryDecodeV8() leaves to V8 what it does not read: other versions, back-references, holes, Maps, bad counts", () => {
  const shared = { a: 1 };
  const cases = [
    serialize(new Map([[1, 2]])),
    serialize([shared, shared]),
    // A dense array with a hole (V8 writes `-` for it).
    Uint8Array.of(0xff, 0x0f, 0x41, 0x02, 0x2d, 0x49, 0x02, 0x24, 0x00, 0x02),
    // A sparse array setting its own length.
    Uint8Array.of(
      0xff,
      0x0f,
      0x61,
      0x01,
      0x22,
      0x06,
      ...new TextEncoder().encode("length"),
      0x49,
      0x04,
      0x40,
      0x01,
      0x01,
    ),
    serialize(Object.assign([1], { extra: true })),
    serialize(new Uint8Array(2)),
    serialize(10n),
    Uint8Array.of(0xff, 0x0e, 0x54), // version 14
    Uint8Array.of(0x54), // no header
    Uint8Array.of(0xff, 0x0f, 0x6f, 0x7b, 0x01), // says 1 property, has 0
    Uint8Array.of(0xff, 0x0f, 0x41, 0x05, 0x49), // truncated array
    Uint8Array.of(0xff, 0x0f, 0x63, 0x03, 0x61, 0x00, 0x62), // odd two-byte length
  ];
  for (const bytes of cases) assert.equal(tryDecodeV8(bytes), UNDECODED);
});

Deno.test("tryDecodeV8() refuses a key that comes twice, as V8 does", () => {
  const x = 0x78; // "x"
  const cases = [
    // {x: 0, x: 1}
    [0xff, 0x0f, 0x6f, 0x22, 1, x, 0x49, 0, 0x22, 1, x, 0x49, 2, 0x7b, 2],
    // {0: 0, "0": 1}
    [0xff, 0x0f, 0x6f, 0x49, 0, 0x49, 0, 0x22, 1, 0x30, 0x49, 2, 0x7b, 2],
    // a sparse array of length 2 with index 0 twice (the property test's find)
    [0xff, 0x0f, 0x61, 2, 0x49, 0, 0x49, 0, 0x49, 0, 0x49, 2, 0x40, 2, 2],
  ].map((bytes) => Uint8Array.from(bytes));
  for (const bytes of cases) {
    assert.throws(() => deserialize(bytes), Error, `V8 decodes ${bytes}`);
    assert.equal(tryDecodeV8(bytes), UNDECODED, `fast path decodes ${bytes}`);
  }
});
