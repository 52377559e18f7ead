import assert from "node:assert/strict";
import { relative } from "node:path";
import { loadBackpressureHook } from "../../../src/backpressure/hook_loader.ts";
import { HookLoadError } from "../../../src/backpressure/errors.ts";
import { WoolError } from "../../../src/errors.ts";
import { createBackpressureContext } from "../../../src/backpressure/context.ts";
import { seen } from "../../_fixtures/hooks/records.ts";

function fixture(name: string): string {
  return new URL(`../../_fixtures/hooks/${name}`, import.meta.url).href;
}

const CTX = createBackpressureContext(2, {
  id: "t-1",
  module: "file:///srv/tasks.ts",
  export: "add",
  args: [1, 2],
});

async function assertLoadFails(
  spec: {
    module: string;
    export: string;
    options?: number | { limit: number };
  },
  message: string | RegExp,
): Promise<HookLoadError> {
  const error = await loadBackpressureHook(spec).then(
    () => assert.fail("expected loadBackpressureHook() to reject"),
    (error: unknown) => error,
  );
  assert.ok(error instanceof HookLoadError);
  assert.ok(error instanceof WoolError);
  assert.equal(error.name, "HookLoadError");
  assert.equal(error.module, spec.module);
  assert.equal(error.export, spec.export);
  if (typeof message === "string") assert.equal(error.message, message);
  else assert.match(error.message, message);
  return error;
}

Deno.test("loadBackpressureHook() returns a module's default export", async () => {
  const hook = await loadBackpressureHook({
    module: fixture("reject_all.ts"),
    export: "default",
  });
  assert.equal(hook.admit(CTX), true);
  const accept = await loadBackpressureHook({
    module: fixture("accept_all.ts"),
    export: "default",
  });
  assert.equal(accept.admit(CTX), false);
});

Deno.test("loadBackpressureHook() returns the hook a factory makes from the options", async () => {
  const hook = await loadBackpressureHook({
    module: fixture("factory.ts"),
    export: "capAt",
    options: { limit: 2 },
  });
  assert.deepEqual(hook.admit(CTX), { reject: true, reason: "cap 2" });
});

Deno.test("loadBackpressureHook() loads the built-in hooks by their bare specifier", async () => {
  const hook = await loadBackpressureHook({
    module: "@wool/core/backpressure",
    export: "maxActive",
    options: { limit: 3 },
  });
  assert.equal(hook.admit(CTX), false);
});

Deno.test("loadBackpressureHook() resolves a relative specifier against the current directory", async () => {
  const path = new URL("../../_fixtures/hooks/with_reason.ts", import.meta.url)
    .pathname;
  const specifier = `./${relative(Deno.cwd(), path)}`;
  const hook = await loadBackpressureHook({
    module: specifier,
    export: "default",
  });
  assert.deepEqual(hook.admit(CTX), { reject: true, reason: "busy" });
});

Deno.test("loadBackpressureHook() returns the very function the module exports", async () => {
  const hook = await loadBackpressureHook({
    module: fixture("records.ts"),
    export: "default",
  });
  seen.length = 0;
  assert.equal(hook.admit(CTX), false);
  assert.deepEqual(seen, [CTX]);
  seen.length = 0;
});

Deno.test("loadBackpressureHook() fails naming the export and listing the module's exports when it is missing", async () => {
  const module = fixture("factory.ts");
  const error = await assertLoadFails(
    { module, export: "maxActive" },
    `Cannot load backpressure hook "maxActive" from "${module}": the module has no export "maxActive" (exports: badFactory, capAt, throwingFactory, voidFactory)`,
  );
  assert.ok(error.cause instanceof TypeError);
});

Deno.test("loadBackpressureHook() fails when the module has no default export", async () => {
  await assertLoadFails(
    { module: fixture("factory.ts"), export: "default" },
    /the module has no export "default" \(exports: badFactory, capAt, throwingFactory, voidFactory\)$/,
  );
});

Deno.test("loadBackpressureHook() fails when the export is not a function", async () => {
  const module = fixture("not_a_function.ts");
  await assertLoadFails(
    { module, export: "default" },
    `Cannot load backpressure hook "default" from "${module}": the export is a string, not a function or a hook object with admit(ctx)`,
  );
});

Deno.test("loadBackpressureHook() fails when the module cannot be found", async () => {
  const module = fixture("missing.ts");
  const error = await assertLoadFails(
    { module, export: "default" },
    /^Cannot load backpressure hook "default" from ".*missing\.ts": the module failed to import: .*missing\.ts/,
  );
  assert.ok(error.cause instanceof Error);
});

Deno.test("loadBackpressureHook() fails with the module's own error when it throws at import", async () => {
  const module = fixture("import_throws.ts");
  const error = await assertLoadFails(
    { module, export: "default" },
    `Cannot load backpressure hook "default" from "${module}": the module failed to import: top-level boom`,
  );
  assert.ok(error.cause instanceof Error);
  assert.equal(error.cause.message, "top-level boom");
});

Deno.test("loadBackpressureHook() names both the given and the resolved specifier of a relative module", async () => {
  await assertLoadFails(
    { module: "./no/such/hook.ts", export: "default" },
    new RegExp(
      `^Cannot load backpressure hook "default" from "\\./no/such/hook\\.ts" \\(file://${Deno.cwd()}/no/such/hook\\.ts\\): the module failed to import`,
    ),
  );
});

Deno.test("loadBackpressureHook() fails when the factory throws, keeping the error as cause", async () => {
  const module = fixture("factory.ts");
  const error = await assertLoadFails(
    { module, export: "throwingFactory", options: { limit: 1 } },
    `Cannot load backpressure hook "throwingFactory" from "${module}": the factory threw: bad options`,
  );
  assert.ok(error.cause instanceof Error);
  assert.equal(error.cause.message, "bad options");
});

Deno.test("loadBackpressureHook() fails when the factory returns something other than a function", async () => {
  const module = fixture("factory.ts");
  await assertLoadFails(
    { module, export: "badFactory", options: 1 },
    `Cannot load backpressure hook "badFactory" from "${module}": the factory returned 42, not a hook function or a hook object with admit(ctx)`,
  );
});

Deno.test("loadBackpressureHook() fails when the factory returns undefined", async () => {
  const module = fixture("factory.ts");
  await assertLoadFails(
    { module, export: "voidFactory", options: { limit: 1 } },
    `Cannot load backpressure hook "voidFactory" from "${module}": the factory returned undefined, not a hook function or a hook object with admit(ctx)`,
  );
});

Deno.test("loadBackpressureHook() fails when options are given for a plain hook, whose answer is not a function", async () => {
  seen.length = 0;
  await assertLoadFails(
    { module: fixture("records.ts"), export: "default", options: { limit: 1 } },
    /: the factory returned false, not a hook function or a hook object with admit\(ctx\)$/,
  );
  seen.length = 0;
});

Deno.test("loadBackpressureHook() takes a hook object, from an export or a factory, keeping its settled", async () => {
  const module = fixture("learning.ts");
  const plain = await loadBackpressureHook({ module, export: "default" });
  assert.equal(plain.admit(CTX), false);
  assert.equal(typeof plain.settled, "function");
  const made = await loadBackpressureHook({
    module,
    export: "learningFactory",
    options: { limit: 0 },
  });
  assert.deepEqual(made.admit(CTX), { reject: true, reason: "limit 0" });
  assert.equal(typeof made.settled, "function");
});

Deno.test("loadBackpressureHook() fails when a hook object's settled is not a function", async () => {
  const module = fixture("learning.ts");
  await assertLoadFails(
    { module, export: "badSettled" },
    `Cannot load backpressure hook "badSettled" from "${module}": A backpressure hook object's "settled" must be a function when present, received 3`,
  );
});
