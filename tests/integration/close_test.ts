/**
 * `WorkerPool.close()`: stops taking calls, lets in-flight calls finish
 * within the grace, cancels the rest, and resolves once every worker
 * process has exited.
 *
 * @module
 */
import assert from "node:assert/strict";
import { PoolClosed, WorkerPool } from "../../mod.ts";
import { settles } from "../_helpers/deadline.ts";
import { Gate } from "../_helpers/gate.ts";
import { isAlive } from "../_helpers/processes.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool.close() rejects calls made once it began with PoolClosed, lets in-flight calls finish within graceMs, returns the same promise when called twice, and resolves once every worker exited (transport "${transport}")`, async () => {
    await using gate = Gate.open();
    await using pool = await WorkerPool.start({ spawn: 2, transport });
    const tasks = pool.remote<Tasks>(TASKS);
    const pids = pool.workers.map((worker) => worker.pid);
    const inFlight = [
      tasks.waitAtGate(gate.port, "first"),
      tasks.waitAtGate(gate.port, "second"),
    ];
    await gate.arrived(2);

    const closing = pool.close({ graceMs: 60_000 });
    assert.equal(pool.close(), closing, "close() twice: the same promise");
    assert.equal(pool.close({ graceMs: 0 }), closing);
    assert.equal(pool.state, "closing");
    await assert.rejects(tasks.add(1, 2), PoolClosed);
    await assert.rejects(
      pool.dispatch({ module: TASKS, export: "add", args: [1, 2] }),
      PoolClosed,
    );
    for (const pid of pids) assert.ok(isAlive(pid), "stopped within grace");

    await gate.release();
    assert.deepEqual(await Promise.all(inFlight), ["first", "second"]);
    await settles(closing, "close()");
    assert.equal(pool.state, "closed");
    for (const pid of pids) assert.ok(!isAlive(pid), `worker ${pid} runs`);
    assert.deepEqual(pool.workers, []);
  });

  Deno.test(`WorkerPool.close() cancels calls still running when graceMs ends: they reject with PoolClosed, and close() resolves once every worker exited (transport "${transport}")`, async () => {
    await using gate = Gate.open();
    await using pool = await WorkerPool.start({ spawn: 2, transport });
    const tasks = pool.remote<Tasks>(TASKS);
    const pids = pool.workers.map((worker) => worker.pid);
    // Neither task heeds its signal: only the pool can end them.
    const stuck = [
      tasks.waitAtGate(gate.port, "never"),
      tasks.waitAtGate(gate.port, "never"),
    ].map((call) => call.then(() => null, (error: unknown) => error));
    await gate.arrived(2);

    await settles(pool.close({ graceMs: 100 }), "close()");
    for (const pid of pids) assert.ok(!isAlive(pid), `worker ${pid} runs`);
    for (const error of await Promise.all(stuck)) {
      assert.ok(error instanceof PoolClosed, `got ${error}`);
      assert.match(error.message, /graceMs 100/);
    }
  });
}

Deno.test("WorkerPool [Symbol.asyncDispose] closes the pool at the end of an `await using` block: every worker has exited", async () => {
  let pids: number[];
  let disposed: WorkerPool;
  {
    await using pool = await WorkerPool.start({ spawn: 2 });
    disposed = pool;
    pids = pool.workers.map((worker) => worker.pid);
    assert.equal(
      await pool.remote<Tasks>(TASKS).add(1, 2),
      3,
    );
    for (const pid of pids) assert.ok(isAlive(pid));
  }
  assert.equal(disposed.state, "closed");
  for (const pid of pids) assert.ok(!isAlive(pid), `worker ${pid} runs`);
});
