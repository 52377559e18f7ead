/**
 * Cancellation: the caller's `signal` and `timeoutMs` reject the call at
 * once and abort the task's own signal in the worker (`taskSignal()`),
 * closing a running generator.
 *
 * @module
 */
import assert from "node:assert/strict";
import { DispatchTimeout, WorkerPool } from "../../mod.ts";
import { settles } from "../_helpers/deadline.ts";
import { Gate } from "../_helpers/gate.ts";
import { Inbox } from "../_helpers/inbox.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");

/**
 * Long enough for a warm worker to start the task before it runs out, on
 * a loaded machine.
 */
const TIMEOUT_MS = 3000;

function totalAccepted(pool: WorkerPool): number {
  return pool.stats().workers.reduce((sum, worker) => sum + worker.accepted, 0);
}

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool.dispatch() cancellation (transport "${transport}")`, async (t) => {
    await using pool = await WorkerPool.start({ spawn: 1, transport });
    const tasks = pool.remote<Tasks>(TASKS);
    // Loads the task module, so that later tasks start at once.
    assert.equal(await tasks.add(1, 1), 2);

    await t.step(
      "WorkerPool.dispatch() rejects with the signal's reason as soon as the signal aborts, while the task still runs",
      async () => {
        await using gate = Gate.open();
        const controller = new AbortController();
        const call = pool.dispatch({
          module: TASKS,
          export: "waitAtGate",
          args: [gate.port, "never seen"],
          signal: controller.signal,
        });
        await gate.arrived(1);
        const reason = new Error("the caller gave up");
        controller.abort(reason);
        const error = await settles(
          call.then(() => null, (e) => e),
          "the call",
        );
        assert.equal(error, reason);
      },
    );

    await t.step(
      "WorkerPool.dispatch() aborts the task's taskSignal() in the worker when the caller's signal aborts",
      async () => {
        await using inbox = Inbox.open();
        const controller = new AbortController();
        const call = pool.dispatch({
          module: TASKS,
          export: "waitForAbort",
          args: [inbox.port],
          signal: controller.signal,
        });
        await inbox.arrived(1);
        controller.abort(new Error("stop"));
        await assert.rejects(call, /stop/);
        assert.equal(
          await settles(inbox.next(), "the task's abort"),
          "aborted:AbortError",
        );
      },
    );

    await t.step(
      "RemoteCall[Symbol.asyncIterator]() of a generator cancelled mid-stream rejects the pending step with the reason, and the generator is closed in the worker with its signal aborted",
      async () => {
        await using inbox = Inbox.open();
        const controller = new AbortController();
        const stream = pool.dispatch<AsyncGenerator<number>>({
          module: TASKS,
          export: "ticksReportingClose",
          args: [inbox.port],
          signal: controller.signal,
        })[Symbol.asyncIterator]();
        assert.deepEqual(await stream.next(), { done: false, value: 0 });
        assert.deepEqual(await stream.next(), { done: false, value: 1 });
        const reason = new Error("enough");
        controller.abort(reason);
        await assert.rejects(stream.next(), (error) => error === reason);
        assert.equal(
          await settles(inbox.next(), "the generator's finally"),
          "closed aborted=true",
        );
      },
    );

    await t.step(
      "WorkerPool.dispatch() rejects with DispatchTimeout when timeoutMs runs out, and the task's signal aborts; a generator is closed in the worker",
      async () => {
        await using coroutineInbox = Inbox.open();
        await using generatorInbox = Inbox.open();
        const call = pool.dispatch({
          module: TASKS,
          export: "waitForAbort",
          args: [coroutineInbox.port],
          timeoutMs: TIMEOUT_MS,
        });
        const stream = pool.dispatch<AsyncGenerator<number>>({
          module: TASKS,
          export: "ticksReportingClose",
          args: [generatorInbox.port],
          timeoutMs: TIMEOUT_MS,
        })[Symbol.asyncIterator]();
        assert.deepEqual(await stream.next(), { done: false, value: 0 });

        const error = await settles(
          call.then(() => null, (e) => e),
          "the call",
        );
        assert.ok(error instanceof DispatchTimeout, `got ${error}`);
        assert.equal(error.timeoutMs, TIMEOUT_MS);
        assert.equal(
          await settles(coroutineInbox.next(), "the task's abort"),
          "aborted:AbortError",
        );
        assert.equal(
          await settles(generatorInbox.next(), "the generator's finally"),
          "closed aborted=true",
        );
        await assert.rejects(stream.next(), DispatchTimeout);
      },
    );

    await t.step(
      "WorkerPool.dispatch() rejects with the reason of a signal aborted before the call, without contacting a worker",
      async () => {
        const before = totalAccepted(pool);
        const reason = new Error("aborted up front");
        await assert.rejects(
          pool.dispatch({
            module: TASKS,
            export: "add",
            args: [1, 2],
            signal: AbortSignal.abort(reason),
          }),
          (error) => error === reason,
        );
        assert.equal(totalAccepted(pool), before, "a worker was contacted");
      },
    );

    await t.step(
      "WorkerPool.remote() calls still run on the worker after its tasks were cancelled",
      async () => {
        assert.equal(await tasks.add(2, 3), 5);
        assert.equal(pool.workers.length, 1);
      },
    );
  });
}
