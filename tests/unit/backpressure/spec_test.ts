import assert from "node:assert/strict";
import { normalizeBackpressureSpec } from "../../../src/backpressure/spec.ts";

Deno.test("normalizeBackpressureSpec() maps undefined and null to null", () => {
  assert.equal(normalizeBackpressureSpec(undefined), null);
  assert.equal(normalizeBackpressureSpec(null), null);
});

Deno.test("normalizeBackpressureSpec() takes a string as that module's default export", () => {
  assert.deepEqual(normalizeBackpressureSpec("file:///srv/admission.ts"), {
    module: "file:///srv/admission.ts",
    export: "default",
  });
  assert.deepEqual(normalizeBackpressureSpec("/srv/admission.ts"), {
    module: "/srv/admission.ts",
    export: "default",
  });
  assert.deepEqual(normalizeBackpressureSpec("@wool/core/backpressure"), {
    module: "@wool/core/backpressure",
    export: "default",
  });
  assert.deepEqual(normalizeBackpressureSpec("npm:hooks@1"), {
    module: "npm:hooks@1",
    export: "default",
  });
});

Deno.test("normalizeBackpressureSpec() takes a URL as its href's default export", () => {
  assert.deepEqual(
    normalizeBackpressureSpec(new URL("file:///srv/admission.ts")),
    { module: "file:///srv/admission.ts", export: "default" },
  );
});

Deno.test("normalizeBackpressureSpec() keeps an object's module, export and options", () => {
  assert.deepEqual(
    normalizeBackpressureSpec({
      module: "@wool/core/backpressure",
      export: "maxActive",
      options: { limit: 8 },
    }),
    {
      module: "@wool/core/backpressure",
      export: "maxActive",
      options: { limit: 8 },
    },
  );
  assert.deepEqual(
    normalizeBackpressureSpec({ module: new URL("https://example.com/h.ts") }),
    { module: "https://example.com/h.ts", export: "default" },
  );
});

Deno.test("normalizeBackpressureSpec() leaves options out when they are absent or undefined", () => {
  const spec = normalizeBackpressureSpec({
    module: "file:///srv/h.ts",
    options: undefined,
  });
  assert.deepEqual(spec, { module: "file:///srv/h.ts", export: "default" });
  assert.ok(!("options" in spec!));
});

Deno.test("normalizeBackpressureSpec() accepts any JSON value as options", () => {
  for (
    const options of [
      null,
      0,
      -1.5,
      "",
      true,
      [],
      [1, "a", null, [{}]],
      { a: { b: [1, 2, { c: null }] }, "not an identifier": false },
      Object.assign(Object.create(null), { limit: 1 }),
    ]
  ) {
    const spec = normalizeBackpressureSpec({
      module: "file:///srv/h.ts",
      options,
    });
    assert.equal(spec?.options, options);
  }
});

Deno.test("normalizeBackpressureSpec() accepts shared but acyclic references in options", () => {
  const shared = { limit: 1 };
  const options = { a: shared, b: [shared, shared] };
  assert.equal(
    normalizeBackpressureSpec({ module: "file:///srv/h.ts", options })?.options,
    options,
  );
});

Deno.test("normalizeBackpressureSpec() rejects a function with a TypeError saying hooks must be module specifiers", () => {
  assert.throws(
    () => normalizeBackpressureSpec(() => true),
    {
      name: "TypeError",
      message:
        'Cannot start worker pool: "backpressure" must be a module specifier (a string, a URL, or { module, export?, options? }), received a function: hooks run in worker processes, and closures cannot cross process boundaries',
    },
  );
});

Deno.test("normalizeBackpressureSpec() rejects a function as module with the same explanation", () => {
  assert.throws(
    () => normalizeBackpressureSpec({ module: () => true }),
    {
      name: "TypeError",
      message:
        /"backpressure\.module" must be a module specifier .*received a function: hooks run in worker processes, and closures cannot cross process boundaries/,
    },
  );
});

Deno.test("normalizeBackpressureSpec() rejects an empty module specifier", () => {
  assert.throws(() => normalizeBackpressureSpec(""), {
    name: "TypeError",
    message:
      'Cannot start worker pool: "backpressure" must be a non-empty module specifier, received ""',
  });
  assert.throws(() => normalizeBackpressureSpec({ module: "" }), {
    name: "TypeError",
    message:
      'Cannot start worker pool: "backpressure.module" must be a non-empty module specifier, received ""',
  });
});

Deno.test("normalizeBackpressureSpec() refuses a relative specifier, saying to pass import.meta.resolve() of it", () => {
  for (const module of ["./admission.ts", "../hooks/h.ts", ".", ".."]) {
    assert.throws(() => normalizeBackpressureSpec(module), {
      name: "TypeError",
      message:
        `Cannot start worker pool: "backpressure" must be absolute: the relative specifier ${
          JSON.stringify(module)
        } cannot be resolved against your module by a worker, which receives only the string: pass import.meta.resolve(${
          JSON.stringify(module)
        }) (or a URL) instead`,
    });
    assert.throws(
      () => normalizeBackpressureSpec({ module, export: "maxActive" }),
      {
        name: "TypeError",
        message: new RegExp(
          `^Cannot start worker pool: "backpressure\\.module" must be absolute: .*import\\.meta\\.resolve\\(${
            JSON.stringify(module).replaceAll(".", "\\.")
          }\\)`,
        ),
      },
    );
  }
});

Deno.test("normalizeBackpressureSpec() rejects any other type naming backpressure and what it received", () => {
  const cases: [unknown, string][] = [
    [3, "3"],
    [true, "true"],
    [10n, "10n"],
    [Symbol("s"), "Symbol(s)"],
    [["file:///srv/h.ts"], "an array"],
    [new Map(), "a Map"],
  ];
  for (const [spec, received] of cases) {
    assert.throws(() => normalizeBackpressureSpec(spec), {
      name: "TypeError",
      message:
        `Cannot start worker pool: "backpressure" must be a module specifier (a string, a URL, or { module, export?, options? }), received ${received}`,
    });
  }
});

Deno.test("normalizeBackpressureSpec() rejects a missing or wrong module naming backpressure.module", () => {
  assert.throws(() => normalizeBackpressureSpec({ export: "x" }), {
    name: "TypeError",
    message:
      'Cannot start worker pool: "backpressure.module" must be a module specifier (a string or a URL), received undefined',
  });
  assert.throws(() => normalizeBackpressureSpec({ module: 42 }), {
    name: "TypeError",
    message: /"backpressure\.module" .*received 42$/,
  });
});

Deno.test("normalizeBackpressureSpec() rejects an export that is not a non-empty string", () => {
  for (const [exportName, received] of [[3, "3"], ["", '""'], [null, "null"]]) {
    assert.throws(
      () =>
        normalizeBackpressureSpec({
          module: "file:///srv/h.ts",
          export: exportName,
        }),
      {
        name: "TypeError",
        message:
          `Cannot start worker pool: "backpressure.export" must be a non-empty string, received ${received}`,
      },
    );
  }
});

Deno.test("normalizeBackpressureSpec() rejects unknown keys naming them", () => {
  assert.throws(
    () => normalizeBackpressureSpec({ module: "file:///srv/h.ts", exprt: "x" }),
    {
      name: "TypeError",
      message:
        'Cannot start worker pool: "backpressure" has unknown key "exprt": expected module, export?, options?',
    },
  );
  assert.throws(
    () => normalizeBackpressureSpec({ module: "file:///srv/h.ts", a: 1, b: 2 }),
    { name: "TypeError", message: /unknown keys "a", "b"/ },
  );
});

Deno.test("normalizeBackpressureSpec() rejects non-JSON options naming backpressure.options and where", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const sparse = [1, , 3];
  const cases: [unknown, string][] = [
    [() => 1, "received a function"],
    [{ limit: 10n }, "received 10n at backpressure.options.limit"],
    [{ s: Symbol("x") }, "received Symbol(x) at backpressure.options.s"],
    [{ a: [1, undefined] }, "received undefined at backpressure.options.a[1]"],
    [{ "a b": NaN }, 'received NaN at backpressure.options["a b"]'],
    [[Infinity], "received Infinity at backpressure.options[0]"],
    [cyclic, "received a cycle at backpressure.options.self"],
    [new Map(), "received a Map"],
    [{ when: new Date(0) }, "received a Date at backpressure.options.when"],
    [sparse, "received an array with holes or extra properties"],
    [{ [Symbol("k")]: 1 }, "received a symbol key Symbol(k)"],
    [
      Object.defineProperty({}, "hidden", { value: 1, enumerable: false }),
      "received a non-enumerable property at backpressure.options.hidden",
    ],
    [
      Object.defineProperty({}, "got", { get: () => 1, enumerable: true }),
      "received an accessor property at backpressure.options.got",
    ],
  ];
  for (const [options, detail] of cases) {
    assert.throws(
      () => normalizeBackpressureSpec({ module: "file:///srv/h.ts", options }),
      {
        name: "TypeError",
        message:
          `Cannot start worker pool: "backpressure.options" must be a JSON value, ${detail}`,
      },
    );
  }
});

Deno.test("normalizeBackpressureSpec() returns a frozen spec", () => {
  assert.ok(Object.isFrozen(normalizeBackpressureSpec("file:///srv/h.ts")));
  assert.ok(
    Object.isFrozen(
      normalizeBackpressureSpec({ module: "file:///srv/h.ts", options: 1 }),
    ),
  );
});
