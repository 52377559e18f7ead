/**
 * A hook that throws, rejects, or does not answer within
 * `backpressureTimeoutMs` rejects the task with a message naming the cause;
 * the worker keeps serving and the caller never evicts it.
 *
 * The hook (`tests/_fixtures/hooks/scripted.ts`) fails only for the tags
 * `"throw"`, `"async-throw"` and `"hang"`, so the same workers prove they
 * still accept untagged tasks afterwards.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  NoWorkersAvailable,
  type RosterChange,
  WorkerPool,
} from "../../mod.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const SCRIPTED = import.meta.resolve("../_fixtures/hooks/scripted.ts");
const TIMEOUT_MS = 50;

const FAILURES = [
  {
    tag: "throw",
    cause: "hook-error",
    message: "Backpressure hook threw: TypeError: tagged throw",
  },
  {
    tag: "async-throw",
    cause: "hook-error",
    message: "Backpressure hook threw: RangeError: tagged async throw",
  },
  {
    tag: "hang",
    cause: "hook-timeout",
    message: `Backpressure hook did not answer within ${TIMEOUT_MS} ms`,
  },
] as const;

for (const transport of TRANSPORTS) {
  for (
    const [kind, backpressure] of [
      ["a synchronous", SCRIPTED],
      ["an asynchronous", { module: SCRIPTED, export: "asyncHook" }],
    ] as const
  ) {
    Deno.test(`WorkerPool counts ${kind} hook that throws, rejects or hangs as a rejection naming the cause, and keeps every worker (transport "${transport}")`, async () => {
      await using pool = await WorkerPool.start({
        spawn: 2,
        transport,
        backpressure,
        backpressureTimeoutMs: TIMEOUT_MS,
      });
      const workers = pool.workers;
      const changes: RosterChange[] = [];
      const unsubscribe = pool.subscribe((change) => changes.push(change));
      try {
        for (const failure of FAILURES) {
          const error = await pool.dispatch({
            module: TASKS,
            export: "add",
            args: [1, 2],
            tag: failure.tag,
          }).then(
            () => assert.fail(`the "${failure.tag}" call resolved`),
            (error: unknown) => error,
          );
          assert.ok(error instanceof NoWorkersAvailable, String(error));
          assert.deepEqual(
            error.causes.map((cause) => [cause.code, cause.message]),
            [
              ["RESOURCE_EXHAUSTED", failure.message],
              ["RESOURCE_EXHAUSTED", failure.message],
            ],
          );
          // The same workers serve the next call.
          assert.deepEqual(pool.workers, workers);
          const results = await Promise.all([
            pool.dispatch({ module: TASKS, export: "add", args: [1, 2] }),
            pool.dispatch({ module: TASKS, export: "pid" }),
            pool.dispatch({ module: TASKS, export: "pid" }),
          ]);
          assert.equal(results[0], 3);
          assert.deepEqual(
            results.slice(1).sort(),
            workers.map((worker) => worker.pid).sort(),
          );
        }
        assert.deepEqual(changes, [], "no worker left or joined");
        const stats = pool.stats();
        for (const worker of stats.workers) {
          assert.deepEqual(worker.rejected, {
            hook: 0,
            "hook-error": 2,
            "hook-timeout": 1,
            stopping: 0,
          });
        }
        assert.equal(stats.exhausted, FAILURES.length);
      } finally {
        unsubscribe();
      }
    });
  }
}
