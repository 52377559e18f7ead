import assert from "node:assert/strict";

/** Runtime names, sorted: types leave no trace at run time. */
async function runtimeExports(specifier: string): Promise<string[]> {
  const module = await import(specifier);
  return Object.keys(module).sort();
}

Deno.test("mod.ts exports exactly the public runtime surface", async () => {
  assert.deepStrictEqual(await runtimeExports("../../mod.ts"), [
    "CallDepthExceeded",
    "ContextVar",
    "ContextVarUnset",
    "DiscoveryError",
    "DispatchTimeout",
    "LeastInFlightLoadBalancer",
    "MessageTooLarge",
    "MissingPermission",
    "NoRunningTask",
    "NoWorkersAvailable",
    "PermissionNotInheritable",
    "PoolClosed",
    "ProtocolError",
    "QuorumNotMet",
    "RemoteCall",
    "RemoteError",
    "RoundRobinLoadBalancer",
    "TaskLoadError",
    "TaskPermissionDenied",
    "UnsupportedDenoVersion",
    "WoolError",
    "WorkerCrashed",
    "WorkerPool",
    "WorkerStartError",
    "WorkerUnavailable",
    "currentPool",
    "dnsDiscovery",
    "natsDiscovery",
    "staticDiscovery",
    "taskSignal",
  ]);
});

Deno.test("mod.ts error exports are WoolError classes named after themselves", async () => {
  const mod = await import("../../mod.ts");
  for (
    const ErrorClass of [
      mod.CallDepthExceeded,
      mod.DiscoveryError,
      mod.DispatchTimeout,
      mod.MessageTooLarge,
      mod.MissingPermission,
      mod.NoRunningTask,
      mod.NoWorkersAvailable,
      mod.PermissionNotInheritable,
      mod.PoolClosed,
      mod.ProtocolError,
      mod.QuorumNotMet,
      mod.RemoteError,
      mod.TaskLoadError,
      mod.TaskPermissionDenied,
      mod.UnsupportedDenoVersion,
      mod.WorkerCrashed,
      mod.WorkerStartError,
      mod.WorkerUnavailable,
    ]
  ) {
    assert.ok(ErrorClass.prototype instanceof mod.WoolError, ErrorClass.name);
  }
  assert.equal(new mod.PoolClosed().name, "PoolClosed");
});

Deno.test("src/backpressure/mod.ts exports exactly the built-in hook factories", async () => {
  assert.deepStrictEqual(
    await runtimeExports("../../src/backpressure/mod.ts"),
    [
      "adaptiveConcurrency",
      "fairShare",
      "maxActive",
      "memoryPressure",
      "rateLimit",
    ],
  );
});

Deno.test("src/task/mod.ts exports exactly what task code needs", async () => {
  const task = await import("../../src/task/mod.ts");
  assert.deepStrictEqual(await runtimeExports("../../src/task/mod.ts"), [
    "CallDepthExceeded",
    "ContextVar",
    "ContextVarUnset",
    "NoRunningTask",
    "currentPool",
    "taskSignal",
  ]);
  const mod = await import("../../mod.ts");
  assert.equal(task.taskSignal, mod.taskSignal, "one taskSignal, two entries");
  assert.equal(task.NoRunningTask, mod.NoRunningTask);
  assert.equal(task.currentPool, mod.currentPool, "one currentPool");
  assert.equal(task.CallDepthExceeded, mod.CallDepthExceeded);
  assert.equal(task.ContextVar, mod.ContextVar, "one ContextVar");
  assert.ok(task.ContextVarUnset.prototype instanceof mod.WoolError);
});

Deno.test("src/worker/main.ts exports nothing: it is an entry point", async () => {
  assert.deepStrictEqual(await runtimeExports("../../src/worker/main.ts"), []);
});

Deno.test("deno.json maps the package's entry points to those modules", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  );
  assert.equal(config.name, "@wool/core");
  assert.deepStrictEqual(config.exports, {
    ".": "./mod.ts",
    "./worker": "./src/worker/main.ts",
    "./backpressure": "./src/backpressure/mod.ts",
    "./task": "./src/task/mod.ts",
  });
  // The package's own name maps to its entries, for examples and doc tests.
  for (
    const name of ["@wool/core", "@wool/core/backpressure", "@wool/core/task"]
  ) {
    const entry = name === "@wool/core"
      ? "."
      : `.${name.slice("@wool/core".length)}`;
    assert.equal(config.imports[name], config.exports[entry], name);
  }
});

Deno.test("RemoteCall has no public constructor: calls come from the pool", async () => {
  const { RemoteCall } = await import("../../mod.ts");
  assert.throws(
    // @ts-expect-error: the constructor is private.
    () => new RemoteCall(),
    {
      name: "TypeError",
      message:
        "Cannot construct RemoteCall: calls come from pool.dispatch() and pool.remote()",
    },
  );
});
