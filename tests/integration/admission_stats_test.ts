/**
 * `pool.stats()`: per worker, the tasks it accepted and those it rejected
 * by cause (`hook`, `hook-error`, `hook-timeout`, `stopping`), and the
 * calls that failed for want of capacity, counted from what the workers
 * answered.
 *
 * @module
 */
import assert from "node:assert/strict";
import { WorkerPool } from "../../mod.ts";
import { RawWorkerClient } from "../_helpers/raw_client.ts";
import { Gate } from "../_helpers/gate.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";
import { arrived } from "../_helpers/admission.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");
const SCRIPTED = import.meta.resolve("../_fixtures/hooks/scripted.ts");

for (const transport of TRANSPORTS) {
  const on = `(transport "${transport}")`;

  Deno.test(`WorkerPool.stats() counts each worker's acceptances and its rejections by hook, hook-error and hook-timeout ${on}`, async () => {
    await using pool = await WorkerPool.start({
      spawn: 2,
      transport,
      backpressure: SCRIPTED,
      backpressureTimeoutMs: 50,
    });
    const dispatch = (tag?: string) =>
      pool.dispatch({ module: TASKS, export: "add", args: [1, 2], tag });
    assert.deepEqual(await Promise.all([dispatch(), dispatch(), dispatch()]), [
      3,
      3,
      3,
    ]);
    for (const tag of ["reject", "true", "throw", "async-throw", "hang"]) {
      await assert.rejects(dispatch(tag));
    }
    const stats = pool.stats();
    assert.deepEqual(
      stats.workers.map((worker) => worker.address).sort(),
      pool.workers.map((worker) => worker.address).sort(),
    );
    assert.equal(
      stats.workers.reduce((sum, worker) => sum + worker.accepted, 0),
      3,
    );
    for (const worker of stats.workers) {
      assert.deepEqual(worker.rejected, {
        hook: 2,
        "hook-error": 2,
        "hook-timeout": 1,
        stopping: 0,
      });
    }
    assert.equal(stats.exhausted, 5);
    assert.equal(stats.waited, 0);
  });

  Deno.test(`WorkerPool.stats() counts a stopping worker's refusals as stopping, and the call goes on to another worker ${on}`, async () => {
    await using pool = await WorkerPool.start({
      spawn: 2,
      transport,
      respawn: false,
    });
    await using gate = Gate.open();
    const tasks = pool.remote<Tasks>(TASKS);
    const [stopping, serving] = pool.workers;
    // One task on each worker keeps the stopping one alive while it drains.
    const held = [
      tasks.waitAtGate(gate.port, 1),
      tasks.waitAtGate(gate.port, 2),
    ];
    await arrived(gate, 2, held);
    using raw = await RawWorkerClient.ofPool(pool, stopping);
    // The Stop RPC, as the pool sends it when it closes; answered once the
    // worker's docket drained.
    const stopped = raw.stop(60_000);
    // Awaited at the end; a failing test must not leave it unhandled.
    stopped.catch(() => {});
    const refusals = () =>
      Object.values(pool.stats().workers[0].rejected).reduce((a, b) => a + b);
    // The Stop RPC and the calls below travel on different connections:
    // call until the stopping worker has refused one (each call is a round
    // trip, not a sleep; the bound only turns a bug into a failure).
    const pids: number[] = [];
    while (refusals() === 0) {
      assert.ok(pids.length < 10_000, "the worker never refused a call");
      pids.push(await tasks.pid());
    }
    pids.push(await tasks.pid(), await tasks.pid());
    assert.ok(pids.slice(-3).every((pid) => pid === serving.pid), `${pids}`);
    const [ofStopping, ofServing] = pool.stats().workers;
    assert.equal(ofStopping.address, stopping.address);
    assert.equal(ofStopping.rejected.stopping, 2);
    assert.equal(
      ofStopping.accepted,
      1 + pids.filter((p) => p === stopping.pid).length,
    );
    assert.equal(ofServing.rejected.stopping, 0);
    assert.equal(pool.stats().exhausted, 0);

    await gate.release();
    assert.deepEqual(await Promise.all(held), [1, 2]);
    await stopped;
  });
}
