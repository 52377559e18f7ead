import assert from "node:assert/strict";
import { findDenoConfig } from "../../../src/process/config_file.ts";
import {
  launchCommands,
  listenAddress,
  planWorkerLaunch,
  resolveWorkerLaunch,
  type WorkerLaunchOptions,
} from "../../../src/process/launch.ts";
import {
  permissionFlags,
  requiredWorkerPermissions,
  resolvePermissions,
} from "../../../src/process/permissions.ts";

const ENTRY = new URL("../../../src/worker/main.ts", import.meta.url);
const SOCKET = { socketPath: "/tmp/wool-test/w1.sock" };
const TCP = { host: "127.0.0.1" };

function assertOptionError(
  options: unknown,
  pattern: RegExp,
): void {
  assert.throws(
    () => planWorkerLaunch(options as WorkerLaunchOptions, ENTRY),
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
  for (const options of [undefined, {}]) {
    const plan = planWorkerLaunch(options, ENTRY);
    assert.equal(plan.listen, "unix");
    assert.deepEqual(resolveWorkerLaunch(plan, SOCKET), {
      command: Deno.execPath(),
      args: ["run", "--allow-all", "--config", config, ENTRY.href],
      env: plan.env,
      clearEnv: true,
    });
  }
});

Deno.test("resolveWorkerLaunch() uses the config file given", () => {
  const plan = planWorkerLaunch({ config: "other/deno.jsonc" }, ENTRY);
  assert.deepEqual(resolveWorkerLaunch(plan, SOCKET).args.slice(-3), [
    "--config",
    "other/deno.jsonc",
    ENTRY.href,
  ]);
});

Deno.test("resolveWorkerLaunch() adds what serving on its own socket needs to restricted permissions, and no TCP grant", () => {
  const asked = { read: ["/data"], env: ["MODE"] };
  const plan = planWorkerLaunch(
    { permissions: asked, config: "deno.json" },
    ENTRY,
  );
  const flags = permissionFlags(resolvePermissions(asked), {
    required: requiredWorkerPermissions(SOCKET),
  });
  assert.deepEqual(resolveWorkerLaunch(plan, SOCKET).args, [
    "run",
    ...flags,
    "--config",
    "deno.json",
    ENTRY.href,
  ]);
  assert.ok(flags.some((flag) => flag.startsWith("--allow-read=/data,")));
  assert.ok(flags.includes("--allow-write=/tmp/wool-test"));
  assert.ok(flags.includes("--allow-net=unix:/tmp/wool-test/w1.sock"));
  assert.ok(flags.some((flag) => flag.startsWith("--allow-env=MODE,GRPC_")));
});

Deno.test("resolveWorkerLaunch() grants net to the TCP host it is given", () => {
  const plan = planWorkerLaunch({ permissions: "none" }, ENTRY);
  assert.ok(
    resolveWorkerLaunch(plan, TCP).args.includes("--allow-net=127.0.0.1"),
  );
  assert.ok(
    resolveWorkerLaunch(plan, { host: "::1" }).args.includes(
      "--allow-net=[::1]",
    ),
  );
});

Deno.test("listenAddress() tells a worker its socket, or any free port on its host", () => {
  assert.equal(listenAddress(SOCKET), "unix:/tmp/wool-test/w1.sock");
  assert.equal(listenAddress(TCP), "127.0.0.1:0");
  assert.equal(listenAddress({ host: "::1" }), "[::1]:0");
});

Deno.test("resolveWorkerLaunch() runs a command with its args as given", () => {
  const options = {
    command: "/opt/worker",
    args: ["--flag", "value"],
    env: { MODE: "fast" },
  };
  const launch = resolveWorkerLaunch(planWorkerLaunch(options, ENTRY), SOCKET);
  assert.equal(launch.command, "/opt/worker");
  assert.deepEqual(launch.args, ["--flag", "value"]);
  assert.equal(launch.env.MODE, "fast");
  assert.notEqual(launch.args, options.args, "args are copied");
  assert.deepEqual(
    resolveWorkerLaunch(planWorkerLaunch({ command: "w" }, ENTRY), TCP).args,
    [],
  );
});

Deno.test("planWorkerLaunch() gives the worker worker.env over the variables it keeps", () => {
  const plan = planWorkerLaunch({ env: { A: "1", B: "", PATH: "/x" } }, ENTRY);
  assert.equal(plan.clearEnv, true);
  assert.equal(plan.env.A, "1");
  assert.equal(plan.env.B, "");
  assert.equal(plan.env.PATH, "/x");
});

Deno.test('planWorkerLaunch() takes worker.listen "unix" (the default) or "tcp"', () => {
  assert.equal(planWorkerLaunch({ listen: "tcp" }, ENTRY).listen, "tcp");
  assert.equal(planWorkerLaunch({ listen: "unix" }, ENTRY).listen, "unix");
  assertOptionError(
    { listen: "udp" },
    /"worker\.listen" must be "unix" or "tcp", received "udp"/,
  );
});

Deno.test("resolveWorkerLaunch() rejects permissions, config and resourceLimits with a command", () => {
  assertOptionError(
    { command: "w", permissions: "inherit" },
    /"worker\.permissions" applies only to the default "deno run" launch/,
  );
  assertOptionError(
    { command: "w", config: "deno.json" },
    /"worker\.config" applies only to the default "deno run" launch/,
  );
  assertOptionError(
    { command: "w", resourceLimits: { maxOldGenerationSizeMb: 64 } },
    /"worker\.resourceLimits" applies only to the default "deno run" launch, not with "worker\.command"; put the flags in "worker\.args"/,
  );
});

Deno.test("resolveWorkerLaunch() passes worker.resourceLimits as one --v8-flags argument after the permission flags, before the config", () => {
  const resourceLimits = {
    maxOldGenerationSizeMb: 64,
    maxYoungGenerationSizeMb: 16,
    stackSizeMb: 2,
  };
  const plan = planWorkerLaunch(
    { permissions: "none", config: "deno.json", resourceLimits },
    ENTRY,
  );
  assert.deepEqual(plan.resourceLimits, resourceLimits);
  const launch = resolveWorkerLaunch(plan, SOCKET);
  const flags = permissionFlags(resolvePermissions("none"), {
    required: requiredWorkerPermissions(SOCKET),
  });
  assert.deepEqual(launch.args, [
    "run",
    ...flags,
    "--v8-flags=--max-old-space-size=64,--max-semi-space-size=5,--stack-size=2048",
    "--config",
    "deno.json",
    ENTRY.href,
  ]);
  assert.deepEqual(launch.resourceLimits, resourceLimits);
});

Deno.test('resolveWorkerLaunch() with worker.schedulingPolicy "batch" runs deno run through chrt --batch 0, and the permission check asks for chrt too', () => {
  const config = findDenoConfig()!;
  const normal = planWorkerLaunch({ schedulingPolicy: "normal" }, ENTRY);
  assert.equal(normal.schedulingPolicy, "normal");
  assert.deepEqual(launchCommands(normal), [Deno.execPath()]);
  assert.equal(resolveWorkerLaunch(normal, SOCKET).command, Deno.execPath());

  const batch = planWorkerLaunch({ schedulingPolicy: "batch" }, ENTRY);
  assert.deepEqual(launchCommands(batch), ["chrt", Deno.execPath()]);
  const launch = resolveWorkerLaunch(batch, SOCKET);
  assert.equal(launch.command, "chrt");
  assert.deepEqual(launch.args, [
    "--batch",
    "0",
    Deno.execPath(),
    "run",
    "--allow-all",
    "--config",
    config,
    ENTRY.href,
  ]);
});

Deno.test("planWorkerLaunch() refuses a worker.schedulingPolicy it does not know, and one with a command", () => {
  assertOptionError(
    { schedulingPolicy: "fifo" },
    /"worker\.schedulingPolicy" must be "normal" or "batch", received "fifo"/,
  );
  assertOptionError(
    { command: "w", schedulingPolicy: "batch" },
    /"worker\.schedulingPolicy" applies only to the default "deno run" launch/,
  );
});

Deno.test("resolveWorkerLaunch() adds no --v8-flags without resource limits", () => {
  for (const resourceLimits of [undefined, {}]) {
    const plan = planWorkerLaunch({ resourceLimits }, ENTRY);
    assert.equal(plan.resourceLimits, undefined);
    const launch = resolveWorkerLaunch(plan, SOCKET);
    assert.ok(!launch.args.some((arg) => arg.startsWith("--v8-flags")));
    assert.equal(launch.resourceLimits, undefined);
  }
});

Deno.test("planWorkerLaunch() refuses bad resource limits, naming worker.resourceLimits.<name>", () => {
  assertOptionError(
    { resourceLimits: { maxOldGenerationSizeMb: "64" } },
    /"worker\.resourceLimits\.maxOldGenerationSizeMb" must be a number of MiB/,
  );
  assertOptionError(
    { resourceLimits: { codeRangeSizeMb: 16 } },
    /unknown option "worker\.resourceLimits\.codeRangeSizeMb"/,
  );
  assert.throws(
    () => planWorkerLaunch({ resourceLimits: { stackSizeMb: 0 } }, ENTRY),
    RangeError,
    '"worker.resourceLimits.stackSizeMb" must be a number of MiB > 0',
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
    { inheritEnv: "yes" },
    /"worker\.inheritEnv" must be a boolean or an array of variable names, received "yes"/,
  );
  assertOptionError(
    { inheritEnv: ["OK", "A=B"] },
    /"worker\.inheritEnv\[1\]" must be a variable name/,
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

Deno.test("planWorkerLaunch() types reject wrong options", () => {
  assert.throws(
    // @ts-expect-error: command is a string.
    () => planWorkerLaunch({ command: ["deno"] }, ENTRY),
    TypeError,
  );
  assert.throws(
    // @ts-expect-error: env values are strings.
    () => planWorkerLaunch({ env: { PORT: 8080 } }, ENTRY),
    TypeError,
  );
  assert.throws(
    // @ts-expect-error: listen is "unix" or "tcp".
    () => planWorkerLaunch({ listen: "udp" }, ENTRY),
    TypeError,
  );
  assert.throws(
    // @ts-expect-error: inheritEnv is a boolean or a list of names.
    () => planWorkerLaunch({ inheritEnv: "PATH" }, ENTRY),
    TypeError,
  );
  assert.throws(
    // @ts-expect-error: resource limits are numbers of MiB.
    () => planWorkerLaunch({ resourceLimits: { stackSizeMb: "4" } }, ENTRY),
    TypeError,
  );
  assert.throws(
    // @ts-expect-error: codeRangeSizeMb is not one of them.
    () => planWorkerLaunch({ resourceLimits: { codeRangeSizeMb: 4 } }, ENTRY),
    TypeError,
  );
});
