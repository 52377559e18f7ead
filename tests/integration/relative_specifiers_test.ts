/**
 * Relative module specifiers (`"./tasks.ts"`) are refused, for tasks and
 * hooks alike, with a message saying to pass `import.meta.resolve()` of
 * them: a worker receives only the string, and cannot know the module that
 * wrote it. The refusal comes before any worker is contacted (a call) or
 * spawned (a hook).
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { WorkerPool } from "../../mod.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const RECORDING_LAUNCHER = fileURLToPath(
  import.meta.resolve("../_fixtures/recording_launcher.ts"),
);
const ADVICE = /pass import\.meta\.resolve\("\.\/tasks\.ts"\) \(or a URL\)/;

function accepted(pool: WorkerPool): number {
  return pool.stats().workers.reduce((sum, worker) => sum + worker.accepted, 0);
}

Deno.test("WorkerPool.dispatch() and remote() refuse a relative task module before any worker is contacted, saying to use import.meta.resolve()", async () => {
  await using pool = await WorkerPool.start({ spawn: 1 });
  await assert.rejects(
    pool.dispatch({ module: "./tasks.ts", export: "add", args: [1, 2] }),
    (error) => {
      assert.ok(error instanceof TypeError, `got ${error}`);
      assert.match(
        error.message,
        /^Cannot dispatch: "module" must be absolute/,
      );
      assert.match(error.message, ADVICE);
      return true;
    },
  );
  assert.throws(() => pool.remote("./tasks.ts"), {
    name: "TypeError",
    message: ADVICE,
  });
  assert.equal(accepted(pool), 0, "a worker was contacted");
  // The fix the message gives works: the same module, resolved.
  const tasks = pool.remote<typeof import("../_fixtures/tasks.ts")>(TASKS);
  assert.equal(await tasks.add(1, 2), 3);
  assert.equal(
    await pool.dispatch({
      module: fileURLToPath(TASKS),
      export: "add",
      args: [2, 3],
    }),
    5,
    "an absolute path is not relative",
  );
});

Deno.test("WorkerPool.start() refuses a relative backpressure hook before spawning, saying to use import.meta.resolve()", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wool-relative-" });
  try {
    for (
      const backpressure of [
        "./hooks/reject_all.ts",
        { module: "../_fixtures/hooks/reject_all.ts" },
      ]
    ) {
      await assert.rejects(
        WorkerPool.start({
          spawn: 1,
          backpressure,
          worker: {
            command: Deno.execPath(),
            args: ["run", "-A", RECORDING_LAUNCHER],
            env: { WOOL_PID_DIR: dir },
          },
        }),
        (error) => {
          assert.ok(error instanceof TypeError, `got ${error}`);
          assert.match(error.message, /must be absolute/);
          assert.match(error.message, /pass import\.meta\.resolve\("\.\.?\//);
          return true;
        },
      );
    }
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), [], "spawned");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
