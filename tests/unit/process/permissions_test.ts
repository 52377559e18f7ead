import assert from "node:assert/strict";
import { PermissionNotInheritable } from "../../../src/process/inherit_permissions.ts";
import {
  GRPC_ENV_VARS,
  permissionFlags,
  type PermissionFlagsOptions,
  requiredWorkerPermissions,
  resolvePermissions,
  type WorkerPermissions,
} from "../../../src/process/permissions.ts";

/** The flags for `permissions` as a pool asks for them. */
function flagsOf(
  permissions: WorkerPermissions,
  options?: PermissionFlagsOptions,
): string[] {
  return permissionFlags(resolvePermissions(permissions), options);
}

Deno.test('permissionFlags() gives "--allow-all" for "inherit" when every permission is granted', () => {
  assert.deepEqual(flagsOf("inherit"), ["--allow-all"]);
  assert.deepEqual(
    flagsOf("inherit", {
      required: requiredWorkerPermissions({ host: "127.0.0.1" }),
    }),
    ["--allow-all"],
  );
});

Deno.test({
  name:
    'resolvePermissions() passes on for "inherit" each permission granted in full',
  permissions: { read: true, net: true },
  fn() {
    assert.deepEqual(flagsOf("inherit"), ["--allow-read", "--allow-net"]);
    assert.deepEqual(
      flagsOf({ read: "inherit", write: "inherit", env: "inherit" }),
      ["--allow-read"],
    );
  },
});

Deno.test({
  name:
    'resolvePermissions() refuses "inherit" of a grant it sees is partial, naming the permission and what it saw',
  permissions: { read: true, write: ["/tmp"], env: ["HOME"] },
  fn() {
    for (
      const permissions of [
        "inherit",
        { write: "inherit" },
      ] as WorkerPermissions[]
    ) {
      assert.throws(
        () => resolvePermissions(permissions),
        (error: unknown) => {
          assert.ok(error instanceof PermissionNotInheritable, `${error}`);
          assert.equal(error.permission, "write");
          // "/tmp", or the checkout when it lies under /tmp (seen first).
          assert.match(error.message, /it may write "\/tmp(\/[^"]*)?"/);
          assert.match(error.message, /"worker\.permissions"/);
          return true;
        },
      );
    }
    assert.throws(
      () => resolvePermissions({ env: "inherit" }),
      (error: unknown) =>
        error instanceof PermissionNotInheritable &&
        error.permission === "env" && /"HOME"/.test(error.message),
    );
    // Named in an object instead, the same grants pass on exactly.
    assert.deepEqual(
      flagsOf({ read: "inherit", write: ["/tmp"], env: ["HOME"] }),
      ["--allow-read", "--allow-write=/tmp", "--allow-env=HOME"],
    );
  },
});

Deno.test({
  name:
    'resolvePermissions() passes on the exact kinds of a partial sys grant for "inherit"',
  permissions: { sys: ["hostname", "osRelease"] },
  fn() {
    assert.deepEqual(flagsOf({ sys: "inherit" }), [
      "--allow-sys=hostname,osRelease",
    ]);
  },
});

Deno.test('permissionFlags() gives no flags for "none" and for an empty object', () => {
  assert.deepEqual(flagsOf("none"), []);
  assert.deepEqual(flagsOf({}), []);
  assert.deepEqual(
    flagsOf({ read: false, net: [], env: undefined }),
    [],
  );
});

Deno.test("permissionFlags() maps each permission as Deno's Worker reads it", () => {
  assert.deepEqual(
    flagsOf({
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
    flagsOf({
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
  assert.deepEqual(flagsOf({ read: ["/a,b", "/c"] }), [
    "--allow-read=/a,,b,/c",
  ]);
});

Deno.test("permissionFlags() merges the required grants into what is asked", () => {
  const required = { net: ["127.0.0.1"], env: ["GRPC_TRACE"], read: ["/p"] };
  assert.deepEqual(flagsOf("none", { required }), [
    "--allow-read=/p",
    "--allow-net=127.0.0.1",
    "--allow-env=GRPC_TRACE",
  ]);
  assert.deepEqual(
    flagsOf(
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

Deno.test("resolvePermissions() rejects an unknown permission name with a TypeError naming it", () => {
  assert.throws(
    // @ts-expect-error: hrtime is not a permission of Deno 2.
    () => flagsOf({ hrtime: true }),
    (error: unknown) =>
      error instanceof TypeError &&
      error.message.includes('"worker.permissions.hrtime"'),
  );
});

Deno.test("resolvePermissions() rejects a value of the wrong type with a TypeError naming the option", () => {
  assert.throws(
    // @ts-expect-error: a number is not a grant.
    () => flagsOf({ net: 1 }),
    new TypeError(
      'Cannot start worker pool: "worker.permissions.net" must be "inherit", a boolean or an array of strings, received 1',
    ),
  );
  assert.throws(
    // @ts-expect-error: env entries are strings.
    () => flagsOf({ env: [new URL("file:///x")] }),
    /"worker\.permissions\.env\[0\]" must be a non-empty string, received an? URL/,
  );
  assert.throws(
    () => flagsOf({ read: ["/ok", new URL("https://example.com/")] }),
    /"worker\.permissions\.read\[1\]" must be a non-empty string or a file URL/,
  );
  assert.throws(
    () => flagsOf({ read: [""] }),
    /"worker\.permissions\.read\[0\]"/,
  );
  assert.throws(
    // @ts-expect-error: not a permissions value.
    () => flagsOf("all"),
    /"worker\.permissions" must be "inherit", "none" or an object, received "all"/,
  );
  assert.throws(
    // @ts-expect-error: not a permissions value.
    () => flagsOf(null),
    /"worker\.permissions" must be/,
  );
});

Deno.test("requiredWorkerPermissions() grants a TCP worker its host and grpc-js's variables, and no read", () => {
  assert.deepEqual(requiredWorkerPermissions({ host: "127.0.0.1" }), {
    read: [],
    write: [],
    net: ["127.0.0.1"],
    env: [...GRPC_ENV_VARS],
  });
  assert.deepEqual(requiredWorkerPermissions({ host: "::1" }).net, ["[::1]"]);
  assert.deepEqual(requiredWorkerPermissions({ host: "[::1]" }).net, [
    "[::1]",
  ]);
  assert.deepEqual(requiredWorkerPermissions({ host: "localhost" }).net, [
    "localhost",
    "127.0.0.1",
    "[::1]",
  ]);
  assert.throws(() => requiredWorkerPermissions({ host: "" }), TypeError);
});

Deno.test("requiredWorkerPermissions() grants a Unix socket worker its socket directory and net for its own socket only", () => {
  assert.deepEqual(
    requiredWorkerPermissions({ socketPath: "/tmp/wool-x/w1.sock" }),
    {
      read: ["/tmp/wool-x"],
      write: ["/tmp/wool-x"],
      net: ["unix:/tmp/wool-x/w1.sock"],
      env: [...GRPC_ENV_VARS],
    },
  );
  assert.throws(
    () => requiredWorkerPermissions({ socketPath: "" }),
    TypeError,
  );
});
