import assert from "node:assert/strict";
import { WoolError } from "../../../src/errors.ts";
import { GRPC_ENV_VARS } from "../../../src/process/permissions.ts";
import {
  checkPoolPermissions,
  grantFlags,
  MissingPermission,
  type PermissionQuery,
  poolPermissionError,
  poolPermissions,
} from "../../../src/process/preflight.ts";

const DENO = "/opt/deno/bin/deno";

/** A fake querySync: grants everything except what `denied` matches. */
function denying(
  denied: (descriptor: Deno.PermissionDescriptor) => boolean,
): PermissionQuery & { asked: Deno.PermissionDescriptor[] } {
  const asked: Deno.PermissionDescriptor[] = [];
  const query = (descriptor: Deno.PermissionDescriptor) => {
    asked.push(descriptor);
    return {
      state: denied(descriptor) ? "prompt" as const : "granted" as const,
    };
  };
  return Object.assign(query, { asked });
}

Deno.test("poolPermissions() lists run, grpc-js's env, and net to the workers' hosts", () => {
  const needs = poolPermissions({ commands: [DENO], hosts: ["127.0.0.1"] });
  assert.deepEqual(needs.map((need) => need.descriptor), [
    { name: "run", command: DENO },
    ...GRPC_ENV_VARS.map((variable) => ({ name: "env", variable })),
    { name: "net", host: "127.0.0.1" },
  ]);
});

Deno.test("poolPermissions() with Unix sockets adds the socket directory and unscoped net", () => {
  const needs = poolPermissions({
    commands: [DENO],
    socketParent: "/tmp",
    env: [],
  });
  assert.deepEqual(needs.map((need) => need.descriptor), [
    { name: "run", command: DENO },
    { name: "read", path: "/tmp" },
    { name: "write", path: "/tmp" },
    { name: "net" },
  ]);
  assert.deepEqual(grantFlags(needs), [
    "--allow-read=/tmp",
    "--allow-write=/tmp",
    "--allow-net",
    `--allow-run=${DENO}`,
  ]);
});

Deno.test("checkPoolPermissions() queries each need and passes when all are granted", () => {
  const query = denying(() => false);
  const options = { commands: [DENO, "/usr/bin/setpriv"], hosts: ["::1"] };
  checkPoolPermissions(options, query);
  assert.deepEqual(
    query.asked,
    poolPermissions(options).map((need) => need.descriptor),
  );
});

Deno.test("checkPoolPermissions() names every missing permission and the flags to add", () => {
  const query = denying((descriptor) =>
    descriptor.name === "run" ||
    (descriptor.name === "env" &&
      descriptor.variable?.startsWith("GRPC_NODE_") === true)
  );
  assert.throws(
    () =>
      checkPoolPermissions({ commands: [DENO], hosts: ["127.0.0.1"] }, query),
    (error: unknown) => {
      assert.ok(error instanceof MissingPermission);
      assert.ok(error instanceof WoolError);
      assert.equal(error.name, "MissingPermission");
      assert.deepEqual(error.flags, [
        "--allow-env=GRPC_NODE_VERBOSITY,GRPC_NODE_TRACE,GRPC_NODE_USE_ALTERNATIVE_RESOLVER,GRPC_NODE_DEBUG_SEND_ERROR_DETAILS",
        `--allow-run=${DENO}`,
      ]);
      assert.deepEqual(error.missing.map((need) => need.descriptor.name), [
        "run",
        "env",
        "env",
        "env",
        "env",
      ]);
      assert.equal(
        error.message,
        "Cannot start worker pool: this process lacks permissions the pool needs " +
          "(it starts worker processes; grpc-js reads its environment variables). " +
          `Run it again with ${error.flags.join(" ")}`,
      );
      return true;
    },
  );
});

Deno.test("checkPoolPermissions() by default asks Deno, which grants everything under -A", () => {
  checkPoolPermissions({
    commands: [Deno.execPath()],
    hosts: ["127.0.0.1"],
    socketParent: Deno.cwd(),
  });
});

Deno.test("grantFlags() merges values per name, widens to unscoped, escapes commas", () => {
  const why = "test";
  assert.deepEqual(
    grantFlags([
      { descriptor: { name: "run", command: "/a" }, why },
      { descriptor: { name: "net", host: "127.0.0.1" }, why },
      { descriptor: { name: "read", path: "/x,y" }, why },
      { descriptor: { name: "run", command: "/b" }, why },
      { descriptor: { name: "net" }, why },
      { descriptor: { name: "net", host: "[::1]" }, why },
      { descriptor: { name: "run", command: "/a" }, why },
    ]),
    ["--allow-read=/x,,y", "--allow-net", "--allow-run=/a,/b"],
  );
});

Deno.test("poolPermissionError() turns a start-up step's NotCapable into MissingPermission", () => {
  const denied = new Deno.errors.NotCapable(
    'Requires read access to "/app/deno.json", run again with the --allow-read flag',
  );
  const error = poolPermissionError(denied, "it finds your deno.json");
  assert.ok(error instanceof MissingPermission);
  assert.deepEqual(error.flags, ["--allow-read=/app/deno.json"]);
  assert.equal(error.cause, denied);
  assert.match(error.message, /\(it finds your deno\.json\)/);

  const temp = poolPermissionError(
    new Deno.errors.NotCapable(
      "Requires write access to <TMP>, run again with the --allow-write flag",
    ),
    "it makes its socket directory",
  );
  assert.deepEqual(temp?.flags, ["--allow-write"]);

  assert.equal(poolPermissionError(new Error("disk full"), "x"), undefined);
});
