import assert from "node:assert/strict";
import {
  GRPC_ENV_VARS,
  permissionFlags,
  requiredWorkerPermissions,
} from "../../../src/process/permissions.ts";

Deno.test('permissionFlags() gives "--allow-all" for "inherit" when every permission is granted', () => {
  assert.deepEqual(permissionFlags("inherit"), ["--allow-all"]);
  assert.deepEqual(
    permissionFlags("inherit", {
      required: requiredWorkerPermissions("127.0.0.1"),
    }),
    ["--allow-all"],
  );
});

Deno.test({
  name:
    'permissionFlags() inherits only the permissions granted in full for "inherit"',
  permissions: { read: true, net: true, write: ["/tmp"] },
  fn() {
    assert.deepEqual(permissionFlags("inherit"), [
      "--allow-read",
      "--allow-net",
    ]);
    assert.deepEqual(
      permissionFlags({ read: "inherit", write: "inherit", env: "inherit" }),
      ["--allow-read"],
    );
  },
});

Deno.test('permissionFlags() gives no flags for "none" and for an empty object', () => {
  assert.deepEqual(permissionFlags("none"), []);
  assert.deepEqual(permissionFlags({}), []);
  assert.deepEqual(
    permissionFlags({ read: false, net: [], env: undefined }),
    [],
  );
});

Deno.test("permissionFlags() maps each permission as Deno's Worker reads it", () => {
  assert.deepEqual(
    permissionFlags({
      read: ["/data", new URL("file:///etc/hosts")],
      write: false,
      net: true,
      env: ["HOME", "PATH"],
      run: "inherit",
      import: ["jsr.io:443"],
    }),
    [
      "--allow-read=/data,/etc/hosts",
      "--allow-net",
      "--allow-env=HOME,PATH",
      "--allow-run",
      "--allow-import=jsr.io:443",
    ],
  );
});

Deno.test('permissionFlags() gives "--allow-all" when every permission is true', () => {
  assert.deepEqual(
    permissionFlags({
      read: true,
      write: true,
      net: true,
      env: true,
      run: true,
      ffi: true,
      sys: true,
      import: true,
    }),
    ["--allow-all"],
  );
});

Deno.test("permissionFlags() escapes commas inside an entry", () => {
  assert.deepEqual(permissionFlags({ read: ["/a,b", "/c"] }), [
    "--allow-read=/a,,b,/c",
  ]);
});

Deno.test("permissionFlags() merges the required grants into what is asked", () => {
  const required = { net: ["127.0.0.1"], env: ["GRPC_TRACE"], read: ["/p"] };
  assert.deepEqual(permissionFlags("none", { required }), [
    "--allow-read=/p",
    "--allow-net=127.0.0.1",
    "--allow-env=GRPC_TRACE",
  ]);
  assert.deepEqual(
    permissionFlags(
      { read: ["/data", "/p"], net: false, env: true, sys: ["hostname"] },
      { required },
    ),
    [
      "--allow-read=/data,/p",
      "--allow-net=127.0.0.1",
      "--allow-env",
      "--allow-sys=hostname",
    ],
  );
});

Deno.test("permissionFlags() rejects an unknown permission name with a TypeError naming it", () => {
  assert.throws(
    // @ts-expect-error: hrtime is not a permission of Deno 2.
    () => permissionFlags({ hrtime: true }),
    (error: unknown) =>
      error instanceof TypeError &&
      error.message.includes('"worker.permissions.hrtime"'),
  );
});

Deno.test("permissionFlags() rejects a value of the wrong type with a TypeError naming the option", () => {
  assert.throws(
    // @ts-expect-error: a number is not a grant.
    () => permissionFlags({ net: 1 }),
    new TypeError(
      'Cannot start worker pool: "worker.permissions.net" must be "inherit", a boolean or an array of strings, received 1',
    ),
  );
  assert.throws(
    // @ts-expect-error: env entries are strings.
    () => permissionFlags({ env: [new URL("file:///x")] }),
    /"worker\.permissions\.env\[0\]" must be a non-empty string, received an? URL/,
  );
  assert.throws(
    () => permissionFlags({ read: ["/ok", new URL("https://example.com/")] }),
    /"worker\.permissions\.read\[1\]" must be a non-empty string or a file URL/,
  );
  assert.throws(
    () => permissionFlags({ read: [""] }),
    /"worker\.permissions\.read\[0\]"/,
  );
  assert.throws(
    // @ts-expect-error: not a permissions value.
    () => permissionFlags("all"),
    /"worker\.permissions" must be "inherit", "none" or an object, received "all"/,
  );
  assert.throws(
    // @ts-expect-error: not a permissions value.
    () => permissionFlags(null),
    /"worker\.permissions" must be/,
  );
});

Deno.test("requiredWorkerPermissions() grants the host and grpc-js's variables, and no read", () => {
  assert.deepEqual(requiredWorkerPermissions("127.0.0.1"), {
    net: ["127.0.0.1"],
    env: [...GRPC_ENV_VARS],
  });
  assert.deepEqual(requiredWorkerPermissions("::1").net, ["[::1]"]);
  assert.deepEqual(requiredWorkerPermissions("[::1]").net, ["[::1]"]);
  assert.deepEqual(requiredWorkerPermissions("localhost").net, [
    "localhost",
    "127.0.0.1",
    "[::1]",
  ]);
  assert.throws(() => requiredWorkerPermissions(""), TypeError);
});
