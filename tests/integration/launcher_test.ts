/**
 * `worker: { command, args, env }`: any executable that speaks the worker
 * protocol can be a worker, e.g. a compiled binary. Here a shell launcher
 * of our own execs the worker entry.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { WorkerPool } from "../../mod.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const LAUNCHER = fileURLToPath(import.meta.resolve("../_fixtures/launcher.sh"));

Deno.test("WorkerPool.start() launches worker.command with worker.args and worker.env in place of deno run, and its workers serve tasks", async () => {
  await using pool = await WorkerPool.start({
    spawn: 2,
    worker: {
      command: LAUNCHER,
      args: ["--allow-all"],
      env: { WOOL_DENO: Deno.execPath(), WOOL_FROM_POOL: "worker.env" },
    },
  });
  const tasks = pool.remote<typeof import("../_fixtures/tasks.ts")>(TASKS);
  const expected = {
    WOOL_LAUNCHED_BY: "launcher.sh",
    WOOL_LAUNCHER_ARGS: "--allow-all",
    WOOL_FROM_POOL: "worker.env",
  };
  // Round robin: as many sequential calls as workers reach each one once.
  const rounds = pool.workers.length;
  for (const [name, value] of Object.entries(expected)) {
    for (let i = 0; i < rounds; i++) {
      assert.equal(await tasks.env(name), value);
    }
  }
  const pids = new Set<number>();
  for (let i = 0; i < rounds; i++) pids.add(await tasks.pid());
  assert.deepEqual(
    [...pids].sort(),
    pool.workers.map((worker) => worker.pid).sort(),
    "the launcher's pid is the worker's: it exec'd the entry",
  );
});
