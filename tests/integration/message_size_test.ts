/**
 * `maxMessageBytes`: a frame over the limit fails with `MessageTooLarge`
 * (`size`, `limit`) on the side that would send it, before it is sent.
 *
 * @module
 */
import assert from "node:assert/strict";
import { MessageTooLarge, WorkerPool } from "../../mod.ts";
import { Gate } from "../_helpers/gate.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");

const LIMIT = 1024;
const OVER = 4 * LIMIT;

function totalAccepted(pool: WorkerPool): number {
  return pool.stats().workers.reduce((sum, worker) => sum + worker.accepted, 0);
}

function tooLarge(error: unknown): true {
  assert.ok(error instanceof MessageTooLarge, `got ${error}`);
  assert.equal(error.name, "MessageTooLarge");
  assert.equal(error.limit, LIMIT);
  assert.ok(error.size > LIMIT, `size ${error.size}`);
  assert.match(error.message, new RegExp(`${error.size} bytes`));
  assert.match(error.message, new RegExp(`limit of ${LIMIT} bytes`));
  return true;
}

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool.dispatch() frames over maxMessageBytes (transport "${transport}")`, async (t) => {
    await using pool = await WorkerPool.start({
      spawn: 1,
      maxMessageBytes: LIMIT,
      transport,
    });
    const tasks = pool.remote<Tasks>(TASKS);
    const [{ pid }] = pool.workers;

    await t.step(
      "WorkerPool.dispatch() rejects arguments over maxMessageBytes with MessageTooLarge (size, limit) before any worker is contacted",
      async () => {
        const before = totalAccepted(pool);
        await assert.rejects(tasks.echo("x".repeat(OVER)), tooLarge);
        assert.equal(totalAccepted(pool), before, "a worker was contacted");
      },
    );

    await t.step(
      "RemoteCall rejects with MessageTooLarge (size, limit) when the worker's result is over maxMessageBytes, and the worker stays",
      async () => {
        await assert.rejects(tasks.big(OVER), tooLarge);
        assert.equal(await tasks.big(LIMIT / 2), "x".repeat(LIMIT / 2));
        assert.equal(await tasks.pid(), pid);
      },
    );

    await t.step(
      "RemoteCall rejects with MessageTooLarge when the task's error is over maxMessageBytes, and other tasks on the worker carry on",
      async () => {
        await using gate = Gate.open();
        const other = tasks.waitAtGate(gate.port, "unaffected");
        await gate.arrived(1);
        // Far over the transport's own limit too (maxMessageBytes + 64 KiB).
        await assert.rejects(tasks.failHuge(200_000), tooLarge);
        await gate.release();
        assert.equal(await other, "unaffected");
        assert.equal(await tasks.pid(), pid);
      },
    );

    await t.step(
      "RemoteCall[Symbol.asyncIterator]() rejects a value sent with next(v) or throw(e) over maxMessageBytes with MessageTooLarge, before it is sent, and ends",
      async () => {
        const sending = tasks.doubler()[Symbol.asyncIterator]();
        assert.deepEqual(await sending.next(), { done: false, value: 0 });
        await assert.rejects(
          sending.next(new Array(OVER).fill(1) as unknown as number),
          tooLarge,
        );
        assert.deepEqual(await sending.next(), {
          done: true,
          value: undefined,
        });

        const throwing = tasks.catcher()[Symbol.asyncIterator]();
        assert.deepEqual(await throwing.next(), {
          done: false,
          value: "ready",
        });
        await assert.rejects(
          throwing.throw(new Error("y".repeat(OVER))),
          tooLarge,
        );
        assert.deepEqual(await throwing.next(), {
          done: true,
          value: undefined,
        });

        assert.equal(await tasks.pid(), pid);
      },
    );
  });
}
