/**
 * A task that cannot be parsed (unknown module, missing export, an export
 * that is not a function) is nacked: the call rejects with a
 * `TaskLoadError` naming the module and export, and the worker stays in
 * the pool.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  MessageTooLarge,
  type RosterChange,
  TaskLoadError,
  WoolError,
  WorkerPool,
} from "../../mod.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const MISSING_MODULE = import.meta.resolve("../_fixtures/no_such_module.ts");

/** A matcher for the error of a nacked call naming `module` and `name`. */
function naming(module: string, name: string) {
  return (error: unknown): true => {
    assert.ok(error instanceof TaskLoadError, `got ${error}`);
    assert.ok(error instanceof WoolError);
    assert.equal(error.name, "TaskLoadError");
    assert.equal(error.module, module);
    assert.equal(error.export, name);
    assert.ok(
      error.message.includes(module),
      `"${error.message}" does not name the module`,
    );
    assert.ok(
      error.message.includes(`"${name}"`),
      `"${error.message}" does not name the export`,
    );
    return true;
  };
}

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool.dispatch() rejects a task the worker nacks with an error naming module and export, and the worker stays (transport "${transport}")`, async (t) => {
    await using pool = await WorkerPool.start({ spawn: 1, transport });
    const changes: RosterChange[] = [];
    const unsubscribe = pool.subscribe((change) => changes.push(change));
    const [worker] = pool.workers;
    const pid = () =>
      pool.dispatch<number>({ module: TASKS, export: "pid", args: [] });

    await t.step("WorkerPool.dispatch() nacks an unknown module", async () => {
      await assert.rejects(
        pool.dispatch({ module: MISSING_MODULE, export: "add", args: [1, 2] }),
        naming(MISSING_MODULE, "add"),
      );
      assert.equal(await pid(), worker.pid);
    });

    await t.step("WorkerPool.dispatch() nacks a missing export", async () => {
      await assert.rejects(
        pool.dispatch({ module: TASKS, export: "noSuchExport", args: [] }),
        naming(TASKS, "noSuchExport"),
      );
      assert.equal(await pid(), worker.pid);
    });

    await t.step(
      "WorkerPool.dispatch() nacks an export that is not a function",
      async () => {
        await assert.rejects(
          pool.dispatch({ module: TASKS, export: "notAFunction", args: [] }),
          (error: unknown) =>
            naming(TASKS, "notAFunction")(error) &&
            /not a function/.test((error as Error).message),
        );
        assert.equal(await pid(), worker.pid);
      },
    );

    await t.step(
      "WorkerPool.workers keeps the worker that nacked: it never left the pool",
      () => {
        assert.deepEqual(pool.workers, [worker]);
        const accepted = pool.stats().workers[0].accepted;
        assert.equal(accepted, 3, "only the pid() calls were accepted");
        assert.deepEqual(changes, []);
      },
    );
    unsubscribe();
  });
}

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool.dispatch() rejects with MessageTooLarge when a nack's error is over maxMessageBytes, and the worker keeps serving (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({
      spawn: 1,
      transport,
      maxMessageBytes: 64 * 1024,
    });
    const [worker] = pool.workers;
    await assert.rejects(
      pool.dispatch({
        module: import.meta.resolve("../_fixtures/huge_import_error.ts"),
        export: "anything",
      }),
      (error: unknown) => {
        assert.ok(error instanceof MessageTooLarge, `got ${error}`);
        assert.equal(error.limit, 64 * 1024);
        assert.ok(error.size > 200_000);
        return true;
      },
    );
    assert.equal(
      await pool.dispatch({ module: TASKS, export: "add", args: [1, 2] }),
      3,
    );
    assert.deepEqual(pool.workers, [worker]);
  });
}
