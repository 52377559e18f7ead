/**
 * `maxConcurrentDispatches`: calls beyond the cap on a worker's connection
 * wait for a permit, and get it in arrival order.
 *
 * @module
 */
import assert from "node:assert/strict";
import { WorkerPool } from "../../mod.ts";
import { Gate } from "../_helpers/gate.ts";
import { RawWorkerClient, taskFrame } from "../_helpers/raw_client.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool maxConcurrentDispatches: 2 keeps a third call waiting for a permit, and hands permits out in arrival order (transport "${transport}")`, async () => {
    await using first = Gate.open();
    await using third = Gate.open();
    await using fourth = Gate.open();
    await using pool = await WorkerPool.start({
      spawn: 1,
      maxConcurrentDispatches: 2,
      transport,
    });
    const tasks = pool.remote<Tasks>(TASKS);
    using probe = await RawWorkerClient.ofPool(pool);
    /**
     * A round trip to the worker past the pool's cap: once it is back, a
     * task the pool had sent before it would have reached the worker.
     */
    const barrier = async () => {
      const { frames } = await probe.dispatch([
        taskFrame({ module: TASKS, export: "add" }, [1, 1]),
      ]);
      assert.deepEqual(frames.map((frame) => frame.frame), ["ack", "result"]);
    };
    await barrier(); // The module is loaded: tasks start at once.

    const calls = [
      tasks.waitAtGate(first.port, 1),
      tasks.waitAtGate(first.port, 2),
      tasks.waitAtGate(third.port, 3),
      tasks.waitAtGate(fourth.port, 4),
    ];
    await first.arrived(2);
    await barrier();
    assert.equal(first.arrivals, 2);
    assert.equal(third.arrivals, 0, "a third call ran past the cap");
    assert.equal(fourth.arrivals, 0, "a fourth call ran past the cap");

    await first.releaseSome(1);
    await third.arrived(1);
    await barrier();
    assert.equal(fourth.arrivals, 0, "the fourth call overtook the third");

    await first.release();
    await fourth.arrived(1);
    await third.release();
    await fourth.release();
    assert.deepEqual(await Promise.all(calls), [1, 2, 3, 4]);
  });
}
