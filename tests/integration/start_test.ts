/**
 * `WorkerPool.start()`: spawning workers, their permissions, and failed
 * starts that leave no process behind.
 *
 * @module
 */
import assert from "node:assert/strict";
import { deserialize } from "node:v8";
import { fileURLToPath } from "node:url";
import { WorkerPool, WorkerStartError } from "../../mod.ts";
import { isAlive } from "../_helpers/processes.ts";
import { RawWorkerClient, taskFrame } from "../_helpers/raw_client.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const RECORDING_LAUNCHER = fileURLToPath(
  import.meta.resolve("../_fixtures/recording_launcher.ts"),
);

/**
 * The start timeout for a launcher that hangs: well past the others'
 * start (each loads the worker's module graph first), even on a slow
 * machine.
 */
const HANG_TIMEOUT_MS = 4000;

/** The pids a recording launcher wrote into `dir`. */
async function recordedPids(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (/^\d+$/.test(entry.name)) pids.push(Number(entry.name));
  }
  return pids;
}

/** Starts a pool of recording launchers; returns how the start failed. */
async function failedStart(
  pidDir: string,
  spawn: number,
  env: Record<string, string>,
  startTimeoutMs?: number,
): Promise<WorkerStartError> {
  const error = await WorkerPool.start({
    spawn,
    ...(startTimeoutMs === undefined ? {} : { startTimeoutMs }),
    worker: {
      command: Deno.execPath(),
      args: ["run", "-A", RECORDING_LAUNCHER],
      env: { WOOL_PID_DIR: pidDir, ...env },
    },
  }).then(
    async (pool) => {
      await pool.close();
      return undefined;
    },
    (error: unknown) => error,
  );
  assert.ok(
    error instanceof WorkerStartError,
    `expected a WorkerStartError, got ${error}`,
  );
  return error;
}

Deno.test("WorkerPool.start() lists `spawn` live workers in pool.workers as { id, address, pid }, each pid the process serving its address", async () => {
  await using pool = await WorkerPool.start({ spawn: 2 });
  const workers = pool.workers;
  assert.equal(workers.length, 2);
  assert.equal(new Set(workers.map((worker) => worker.id)).size, 2);
  assert.equal(new Set(workers.map((worker) => worker.address)).size, 2);
  for (const worker of workers) {
    assert.deepEqual(Object.keys(worker).sort(), ["address", "id", "pid"]);
    assert.match(worker.address, /^unix:\/.+\/wool-[^/]+\/w\d+\.sock$/);
    assert.ok(isAlive(worker.pid), `worker ${worker.id} is not running`);
    using client = await RawWorkerClient.ofPool(pool, worker);
    const { frames } = await client.dispatch([
      taskFrame({ module: TASKS, export: "pid" }),
    ]);
    const result = frames.find((frame) => frame.frame === "result");
    assert.ok(result?.frame === "result", "no result frame");
    assert.equal(deserialize(result.result.value), worker.pid);
  }
});

Deno.test("WorkerPool.start() launches workers with the permissions object given as worker.permissions", async () => {
  await using pool = await WorkerPool.start({
    spawn: 1,
    worker: {
      permissions: { read: true, env: ["WOOL_PERMISSION_PROBE"] },
      env: { WOOL_PERMISSION_PROBE: "granted to the worker" },
    },
  });
  const tasks = pool.remote<typeof import("../_fixtures/tasks.ts")>(TASKS);
  assert.equal(await tasks.permission("read"), "granted");
  assert.notEqual(await tasks.permission("write"), "granted");
  assert.notEqual(await tasks.permission("run"), "granted");
  assert.equal(
    await tasks.env("WOOL_PERMISSION_PROBE"),
    "granted to the worker",
  );
});

Deno.test("WorkerPool.start() serves with workers granted no read at all: the wire protocol is part of their module graph", async () => {
  const module =
    "data:text/javascript,export const readGrant = async (path) => " +
    "Deno.permissions.querySync({ name: 'read', path }).state;";
  await using pool = await WorkerPool.start({
    spawn: 1,
    worker: { permissions: "none" },
  });
  const proto = fileURLToPath(
    new URL("../../proto/wool.proto", import.meta.url),
  );
  for (const path of [proto, undefined]) {
    const grant = await pool.dispatch({
      module,
      export: "readGrant",
      args: [path],
    });
    assert.notEqual(grant, "granted", `read of ${path ?? "anything"}`);
  }
});

Deno.test("WorkerPool.start() rejects with WorkerStartError (stderr tail, exitCode) when a worker exits before it is ready, and stops the workers that did start", async () => {
  const pidDir = await Deno.makeTempDir({ prefix: "wool-start-" });
  try {
    const error = await failedStart(pidDir, 3, {
      WOOL_FAIL_SLOT: "1",
      WOOL_FAIL_MODE: "exit",
    });
    assert.equal(error.exitCode, 3);
    assert.equal(error.signal, null);
    assert.match(error.stderr, /slot 1: cannot start/);
    assert.match(error.message, /exited with code 3 before it was ready/);
    const pids = await recordedPids(pidDir);
    assert.equal(pids.length, 3, "every launcher recorded its pid");
    for (const pid of pids) assert.ok(!isAlive(pid), `pid ${pid} still runs`);
  } finally {
    await Deno.remove(pidDir, { recursive: true });
  }
});

Deno.test("WorkerPool.start() rejects with WorkerStartError when a worker is not ready within startTimeoutMs, and leaves no process behind", async () => {
  const pidDir = await Deno.makeTempDir({ prefix: "wool-start-" });
  try {
    const error = await failedStart(pidDir, 2, {
      WOOL_FAIL_SLOT: "1",
      WOOL_FAIL_MODE: "hang",
    }, HANG_TIMEOUT_MS);
    assert.match(
      error.message,
      new RegExp(`no ready line within ${HANG_TIMEOUT_MS} ms`),
    );
    assert.equal(error.signal, "SIGKILL");
    assert.equal(error.exitCode, null);
    const pids = await recordedPids(pidDir);
    assert.equal(pids.length, 2, "every launcher recorded its pid");
    for (const pid of pids) assert.ok(!isAlive(pid), `pid ${pid} still runs`);
  } finally {
    await Deno.remove(pidDir, { recursive: true });
  }
});

Deno.test("WorkerPool.start() rejects with WorkerStartError naming the command when worker.command does not exist", async () => {
  const command = "/nonexistent/wool-worker";
  const error = await WorkerPool.start({ spawn: 2, worker: { command } })
    .then(async (pool) => await pool.close(), (error: unknown) => error);
  assert.ok(error instanceof WorkerStartError, `got ${error}`);
  assert.match(error.message, /cannot run "\/nonexistent\/wool-worker"/);
  assert.equal(error.exitCode, null);
  assert.equal(error.signal, null);
  assert.equal(error.stderr, "");
  assert.deepEqual(error.command, [command]);
});
