/**
 * Bad modules behind specifiers: a task module that throws while it is
 * imported fails its calls with a typed error and leaves the worker
 * serving; a hook module that never finishes importing fails
 * `WorkerPool.start()` with a `WorkerStartError`, bounded by
 * `startTimeoutMs`, and leaves no process running.
 *
 * (Invalid options are in `options_test.ts`, an unknown task module in
 * `nack_test.ts`, hook modules that throw or export the wrong thing in
 * `admission_startup_test.ts`.)
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type RosterChange,
  TaskLoadError,
  WorkerPool,
  WorkerStartError,
} from "../../mod.ts";
import { settles } from "../_helpers/deadline.ts";
import { isAlive } from "../_helpers/processes.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const THROWS_AT_IMPORT = import.meta.resolve(
  "../_fixtures/reliability/throws_at_import.ts",
);
const HANGS_AT_IMPORT = import.meta.resolve(
  "../_fixtures/reliability/hooks/hangs_at_import.ts",
);
const SPAWN = 2;
/** Well past a worker's start with its module graph, even on a slow machine. */
const START_TIMEOUT_MS = 4000;

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool.dispatch() rejects every call of a task module that throws at import with a TaskLoadError naming the module, the export and the module's error, and the worker stays (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({ spawn: 1, transport });
    const changes: RosterChange[] = [];
    const unsubscribe = pool.subscribe((change) => changes.push(change));
    const [worker] = pool.workers;
    for (const exportName of ["anything", "somethingElse"]) {
      await assert.rejects(
        pool.dispatch({ module: THROWS_AT_IMPORT, export: exportName }),
        (error: unknown) => {
          assert.ok(error instanceof TaskLoadError, `got ${error}`);
          assert.equal(error.module, THROWS_AT_IMPORT);
          assert.equal(error.export, exportName);
          assert.ok(error.cause instanceof Error, "the module's throw");
          assert.match(error.cause.message, /task module exploded at import/);
          assert.ok(error.message.includes(THROWS_AT_IMPORT), error.message);
          assert.ok(error.message.includes(`"${exportName}"`), error.message);
          assert.match(error.message, /task module exploded at import/);
          return true;
        },
      );
    }
    assert.equal(
      await pool.dispatch({ module: TASKS, export: "pid" }),
      worker.pid,
    );
    assert.deepEqual(pool.workers, [worker]);
    assert.deepEqual(changes, []);
    unsubscribe();
  });
}

/** Starts a pool with `hook`; returns its start error and the pids its workers recorded. */
async function failedStart(
  hook: string,
): Promise<{ error: WorkerStartError; pids: number[] }> {
  const dir = await Deno.makeTempDir({ prefix: "wool-reliability-" });
  const pidFile = `${dir}/pids`;
  try {
    const error = await settles(
      WorkerPool.start({
        spawn: SPAWN,
        backpressure: hook,
        startTimeoutMs: START_TIMEOUT_MS,
        worker: { env: { WOOL_TEST_PID_FILE: pidFile } },
      }).then(
        async (pool) => {
          await pool.close();
          return assert.fail("WorkerPool.start() resolved");
        },
        (error: unknown) => error,
      ),
      "WorkerPool.start()",
    );
    assert.ok(error instanceof WorkerStartError, `got ${error}`);
    const pids = (await Deno.readTextFile(pidFile)).split("\n")
      .filter((line) => line !== "").map(Number);
    return { error, pids };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("WorkerPool.start() rejects with WorkerStartError after startTimeoutMs when a hook module hangs at import (its event loop kept busy), and leaves no worker process", async () => {
  const { error, pids } = await failedStart(HANGS_AT_IMPORT);
  assert.match(error.message, /^Cannot start worker w\d: /);
  assert.match(error.message, new RegExp(`within ${START_TIMEOUT_MS} ms`));
  assert.equal(error.signal, "SIGKILL", "the pool killed it");
  assert.equal(pids.length, SPAWN, `pids recorded: ${pids}`);
  // start() settles only once every process it spawned has exited.
  assert.deepEqual(pids.filter(isAlive), [], "worker processes left");
});
