import assert from "node:assert/strict";
import { findDenoConfig } from "../../../src/process/config_file.ts";
import {
  resolveWorkerLaunch,
  type WorkerLaunchOptions,
} from "../../../src/process/launch.ts";
import {
  permissionFlags,
  requiredWorkerPermissions,
} from "../../../src/process/permissions.ts";

const ENTRY = new URL("../../../src/worker/main.ts", import.meta.url);

function assertOptionError(
  options: unknown,
  pattern: RegExp,
): void {
  assert.throws(
    () => resolveWorkerLaunch(options as WorkerLaunchOptions, ENTRY),
    (error: unknown) => {
      assert.ok(error instanceof TypeError, `not a TypeError: ${error}`);
      assert.match(error.message, /^Cannot start worker pool: /);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

Deno.test("resolveWorkerLaunch() runs the entry with deno run, inherited permissions and the caller's config by default", () => {
  const config = findDenoConfig();
  assert.ok(config !== undefined, "the repository has a deno.json");
  const expected = {
    command: Deno.execPath(),
    args: ["run", "--allow-all", "--config", config, ENTRY.href],
    env: {},
  };
  assert.deepEqual(resolveWorkerLaunch(undefined, ENTRY), expected);
  assert.deepEqual(resolveWorkerLaunch({}, ENTRY), expected);
});

Deno.test("resolveWorkerLaunch() uses the config file given", () => {
  const launch = resolveWorkerLaunch({ config: "other/deno.jsonc" }, ENTRY);
  assert.deepEqual(launch.args.slice(-3), [
    "--config",
    "other/deno.jsonc",
    ENTRY.href,
  ]);
});

Deno.test("resolveWorkerLaunch() adds the worker's required grants to restricted permissions", () => {
  const launch = resolveWorkerLaunch(
    { permissions: { read: ["/data"], env: ["MODE"] }, config: "deno.json" },
    ENTRY,
  );
  const flags = permissionFlags({ read: ["/data"], env: ["MODE"] }, {
    required: requiredWorkerPermissions("127.0.0.1"),
  });
  assert.deepEqual(launch.args, [
    "run",
    ...flags,
    "--config",
    "deno.json",
    ENTRY.href,
  ]);
  assert.ok(flags.includes("--allow-read=/data"));
  assert.ok(flags.includes("--allow-net=127.0.0.1"));
  assert.ok(flags.some((flag) => flag.startsWith("--allow-env=MODE,GRPC_")));
});

Deno.test("resolveWorkerLaunch() grants net to the host it is given", () => {
  const launch = resolveWorkerLaunch({ permissions: "none" }, ENTRY, {
    host: "::1",
  });
  assert.ok(launch.args.includes("--allow-net=[::1]"));
});

Deno.test("resolveWorkerLaunch() runs a command with its args as given", () => {
  const options = {
    command: "/opt/worker",
    args: ["--flag", "value"],
    env: { MODE: "fast" },
  };
  const launch = resolveWorkerLaunch(options, ENTRY);
  assert.deepEqual(launch, {
    command: "/opt/worker",
    args: ["--flag", "value"],
    env: { MODE: "fast" },
  });
  assert.notEqual(launch.args, options.args, "args are copied");
  assert.deepEqual(resolveWorkerLaunch({ command: "w" }, ENTRY).args, []);
});

Deno.test("resolveWorkerLaunch() adds the env to the default launch too", () => {
  assert.deepEqual(
    resolveWorkerLaunch({ env: { A: "1", B: "" } }, ENTRY).env,
    { A: "1", B: "" },
  );
});

Deno.test("resolveWorkerLaunch() rejects permissions and config with a command", () => {
  assertOptionError(
    { command: "w", permissions: "inherit" },
    /"worker\.permissions" applies only to the default "deno run" launch/,
  );
  assertOptionError(
    { command: "w", config: "deno.json" },
    /"worker\.config" applies only to the default "deno run" launch/,
  );
});

Deno.test("resolveWorkerLaunch() rejects args without a command", () => {
  assertOptionError(
    { args: ["--v8-flags=--expose-gc"] },
    /"worker\.args" applies only with "worker\.command"/,
  );
});

Deno.test("resolveWorkerLaunch() rejects options of the wrong type with a TypeError naming them", () => {
  assertOptionError(null, /"worker" must be an object, received null/);
  assertOptionError("deno", /"worker" must be an object/);
  assertOptionError({ cmd: "w" }, /unknown option "worker\.cmd"/);
  assertOptionError(
    { command: 1 },
    /"worker\.command" must be a non-empty string, received 1/,
  );
  assertOptionError(
    { command: "" },
    /"worker\.command" must be a non-empty string/,
  );
  assertOptionError(
    { command: "w", args: "--x" },
    /"worker\.args" must be an array of strings/,
  );
  assertOptionError(
    { command: "w", args: ["ok", 2] },
    /"worker\.args\[1\]" must be a string, received 2/,
  );
  assertOptionError(
    { config: 1 },
    /"worker\.config" must be a non-empty string/,
  );
  assertOptionError({ env: [] }, /"worker\.env" must be an object of strings/);
  assertOptionError({ env: { A: 1 } }, /"worker\.env\.A" must be a string/);
  assertOptionError(
    { env: { "A=B": "1" } },
    /"worker\.env" has an invalid variable name "A=B"/,
  );
  assertOptionError(
    { permissions: { nett: true } },
    /"worker\.permissions\.nett"/,
  );
  assertOptionError(
    { permissions: { net: "yes" } },
    /"worker\.permissions\.net"/,
  );
});

Deno.test("resolveWorkerLaunch() types reject wrong options", () => {
  assert.throws(
    // @ts-expect-error: command is a string.
    () => resolveWorkerLaunch({ command: ["deno"] }, ENTRY),
    TypeError,
  );
  assert.throws(
    // @ts-expect-error: env values are strings.
    () => resolveWorkerLaunch({ env: { PORT: 8080 } }, ENTRY),
    TypeError,
  );
});
