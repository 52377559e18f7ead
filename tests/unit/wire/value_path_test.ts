import assert from "node:assert/strict";
import { findUnserializable } from "../../../src/wire/value_path.ts";

Deno.test("findUnserializable() names a function nested in objects and arrays", () => {
  assert.deepStrictEqual(
    findUnserializable({ a: { b: [1, { "a key": () => 1 }] } }, "args[0]"),
    { path: 'args[0].a.b[1]["a key"]', what: "a function" },
  );
});

Deno.test("findUnserializable() names Map keys and values, Set elements and an error's cause", () => {
  const objectKey = { id: 1 };
  const cases: [unknown, string, string][] = [
    [new Map([["k", Symbol("s")]]), 'v.get("k")', "a symbol"],
    [new Map([[7, { f: () => 1 }]]), "v.get(7).f", "a function"],
    [new Map([[objectKey, new WeakMap()]]), "v.values()[0]", "a WeakMap"],
    [new Map([[Symbol("key"), 1]]), "v.keys()[0]", "a symbol"],
    [new Set([1, 2, Promise.resolve()]), "v.values()[2]", "a Promise"],
    [new Error("x", { cause: { f() {} } }), "v.cause.f", "a function"],
  ];
  for (const [value, path, what] of cases) {
    assert.deepStrictEqual(findUnserializable(value, "v"), { path, what });
  }
});

Deno.test("findUnserializable() names the value itself when it is the culprit", () => {
  assert.deepStrictEqual(findUnserializable(() => 1, "args[2]"), {
    path: "args[2]",
    what: "a function",
  });
  assert.deepStrictEqual(findUnserializable(new SharedArrayBuffer(8), "x"), {
    path: "x",
    what: "a SharedArrayBuffer",
  });
  assert.deepStrictEqual(findUnserializable({ p: new Proxy({}, {}) }, "x"), {
    path: "x.p",
    what: "a Proxy",
  });
});

const SKIPPED: unique symbol = Symbol("skipped");

Deno.test("findUnserializable() walks class instances as V8 copies them, and skips what V8 skips", () => {
  class Point {
    #secret = () => 1;
    x = 1;
    y = { callback: () => 2 };
    [SKIPPED] = () => 3;
    peek() {
      return this.#secret;
    }
  }
  assert.deepStrictEqual(findUnserializable(new Point(), "p"), {
    path: "p.y.callback",
    what: "a function",
  });
  const hidden = Object.defineProperty({}, "f", { value: () => 1 });
  assert.equal(findUnserializable(hidden, "h"), undefined, "not enumerable");
  const extra = Object.assign(new Error("x"), { f: () => 1 });
  assert.equal(findUnserializable(extra, "e"), undefined, "V8 drops it");
});

Deno.test("findUnserializable() names a property whose getter throws", () => {
  const value = {
    ok: 1,
    get bad(): never {
      throw new Error("no");
    },
  };
  assert.deepStrictEqual(findUnserializable([value], "a"), {
    path: "a[0].bad",
    what: "a property whose getter throws",
  });
});

Deno.test("findUnserializable() ends on cycles and finds nothing in a serializable value", () => {
  const cyclic: Record<string, unknown> = { n: 1 };
  cyclic.self = cyclic;
  assert.equal(findUnserializable(cyclic, "c"), undefined);
  cyclic.late = [cyclic, () => 0];
  assert.deepStrictEqual(findUnserializable(cyclic, "c"), {
    path: "c.late[1]",
    what: "a function",
  });
});

Deno.test("findUnserializable() blames nothing in a value too deep for V8, and walks it without overflowing", () => {
  let deep: unknown[] = [];
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.equal(findUnserializable(deep, "d"), undefined);
});
