import assert from "node:assert/strict";
import {
  type DispatchCall,
  validateDispatchCall,
  validateModule,
} from "../../../src/call/dispatch_call.ts";
import { MAX_DURATION_MS } from "../../../src/pool/options.ts";

const CALL: DispatchCall = {
  module: "file:///tasks.ts",
  export: "add",
  args: [1, 2],
};

Deno.test("validateDispatchCall() returns a valid call as it is", () => {
  const full: DispatchCall = {
    ...CALL,
    module: new URL("file:///tasks.ts"),
    signal: new AbortController().signal,
    timeoutMs: MAX_DURATION_MS,
    tag: "bulk",
  };
  assert.equal(validateDispatchCall(full), full);
  assert.equal(
    validateDispatchCall({ module: "m", export: "f" }).args,
    undefined,
  );
});

Deno.test("validateDispatchCall() refuses a relative module, saying to pass import.meta.resolve() of it", () => {
  for (const module of ["./tasks.ts", "../lib/tasks.ts", ".", ".."]) {
    assert.throws(
      () => validateDispatchCall({ ...CALL, module }),
      {
        name: "TypeError",
        message:
          `Cannot dispatch: "module" must be absolute: the relative specifier ${
            JSON.stringify(module)
          } cannot be resolved against your module by a worker, which receives only the string: pass import.meta.resolve(${
            JSON.stringify(module)
          }) (or a URL) instead`,
      },
    );
  }
  for (
    const module of [
      "/srv/tasks.ts",
      "file:///srv/tasks.ts",
      "npm:tasks@1",
      "@app/tasks",
      ".hidden.ts",
      new URL("./tasks.ts", "file:///srv/"),
    ]
  ) {
    assert.equal(validateDispatchCall({ ...CALL, module }).module, module);
  }
});

Deno.test("validateModule() names the action it is checking for", () => {
  assert.throws(() => validateModule("./t.ts", "make a remote"), {
    name: "TypeError",
    message:
      /^Cannot make a remote: "module" must be absolute: .*import\.meta\.resolve\("\.\/t\.ts"\)/,
  });
  assert.throws(() => validateModule(7, "make a remote"), {
    name: "TypeError",
    message: /^Cannot make a remote: "module" must be a module specifier/,
  });
});

Deno.test("validateDispatchCall() rejects each wrongly typed field with a TypeError naming it", () => {
  const cases: [string, unknown][] = [
    ["module", ""],
    ["module", 7],
    ["export", ""],
    ["export", Symbol("add")],
    ["args", { 0: 1 }],
    ["signal", { aborted: false }],
    ["timeoutMs", "100"],
    ["tag", 1],
  ];
  for (const [field, value] of cases) {
    assert.throws(
      () => validateDispatchCall({ ...CALL, [field]: value } as DispatchCall),
      (error: unknown) =>
        error instanceof TypeError &&
        error.message.startsWith(`Cannot dispatch: "${field}" must be `),
      `${field}: ${String(value)}`,
    );
  }
  assert.throws(
    // @ts-expect-error args is an array
    () => validateDispatchCall({ ...CALL, args: "1, 2" }),
    TypeError,
  );
});

Deno.test("validateDispatchCall() rejects a timeoutMs out of range with a RangeError", () => {
  for (const timeoutMs of [0, -5, NaN, Infinity, MAX_DURATION_MS + 1]) {
    assert.throws(() => validateDispatchCall({ ...CALL, timeoutMs }), {
      name: "RangeError",
      message: /^Cannot dispatch: "timeoutMs" must be a finite number > 0/,
    });
  }
});

Deno.test("validateDispatchCall() rejects a call that is not an object", () => {
  for (const call of [null, undefined, "add"]) {
    // @ts-expect-error the call is an object
    assert.throws(() => validateDispatchCall(call), {
      name: "TypeError",
      message: /^Cannot dispatch: the call must be an object/,
    });
  }
});
