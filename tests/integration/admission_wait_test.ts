/**
 * `admissionWaitMs`: a call every worker rejects waits for capacity, in
 * arrival order, instead of failing at once; it fails with
 * `NoWorkersAvailable` when the wait is over, and with its signal's reason
 * when the signal aborts.
 *
 * The workers' hook (`scripted({ limit: 1, notifyPort })`) caps each at one
 * task and pings a second gate on every rejection, so a test knows a call
 * is retrying from the wait queue (two rejections on a one-worker pool, or
 * three on two workers) without sleeping.
 *
 * @module
 */
import assert from "node:assert/strict";
import { NoWorkersAvailable, WorkerPool } from "../../mod.ts";
import { Gate } from "../_helpers/gate.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";
import { arrived } from "../_helpers/admission.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");
const SCRIPTED = import.meta.resolve("../_fixtures/hooks/scripted.ts");

/** A gate that counts rejections; it lets every ping go at once. */
async function openRejectionCounter(): Promise<Gate> {
  const rejections = Gate.open();
  await rejections.release();
  return rejections;
}

function startPool(
  transport: "session" | "dispatch",
  spawn: number,
  notifyPort: number,
  admissionWaitMs: number,
): Promise<WorkerPool> {
  return WorkerPool.start({
    spawn,
    transport,
    admissionWaitMs,
    backpressure: {
      module: SCRIPTED,
      export: "scripted",
      options: { limit: 1, notifyPort },
    },
  });
}

for (const transport of TRANSPORTS) {
  const on = `(transport "${transport}")`;

  Deno.test(`WorkerPool with admissionWaitMs admits a waiting call once a slot frees ${on}`, async () => {
    await using rejections = await openRejectionCounter();
    await using pool = await startPool(transport, 2, rejections.port, 60_000);
    await using gate = Gate.open();
    const tasks = pool.remote<Tasks>(TASKS);
    const held = [
      tasks.waitAtGate(gate.port, 1),
      tasks.waitAtGate(gate.port, 2),
    ];
    await arrived(gate, 2, held);

    const waiting = tasks.add(20, 22);
    // Both workers rejected it once, then it retried from the queue.
    await arrived(rejections, 3, [waiting]);
    assert.equal(pool.stats().waited, 1);
    await gate.releaseSome(1);
    assert.equal(await waiting, 42);
    await gate.release();
    assert.deepEqual((await Promise.all(held)).sort(), [1, 2]);
    const stats = pool.stats();
    assert.equal(stats.waited, 1);
    assert.equal(stats.exhausted, 0);
  });

  Deno.test(`WorkerPool with admissionWaitMs serves waiting calls in arrival order ${on}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "wool_wait_" });
    try {
      const marks = `${dir}/order.txt`;
      await using rejections = await openRejectionCounter();
      await using pool = await startPool(transport, 1, rejections.port, 60_000);
      await using gate = Gate.open();
      const tasks = pool.remote<Tasks>(TASKS);
      const held = tasks.waitAtGate(gate.port, "held");
      await arrived(gate, 1, [held]);

      const first = tasks.mark(marks, "first");
      await arrived(rejections, 2, [first]);
      // The first call is in the queue: the next ones queue behind it.
      const second = tasks.mark(marks, "second");
      const third = tasks.mark(marks, "third");
      await gate.release();
      assert.deepEqual(await Promise.all([held, first, second, third]), [
        "held",
        "first",
        "second",
        "third",
      ]);
      const order = (await Deno.readTextFile(marks)).trim().split("\n");
      assert.deepEqual(order, ["first", "second", "third"]);
      assert.equal(pool.stats().waited, 3);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`WorkerPool with admissionWaitMs fails a call with NoWorkersAvailable when no slot frees in time ${on}`, async () => {
    await using rejections = await openRejectionCounter();
    await using pool = await startPool(transport, 1, rejections.port, 200);
    await using gate = Gate.open();
    const tasks = pool.remote<Tasks>(TASKS);
    const held = tasks.waitAtGate(gate.port, "held");
    await arrived(gate, 1, [held]);

    const error = await tasks.add(1, 2).then(
      () => assert.fail("the call resolved"),
      (error: unknown) => error,
    );
    assert.ok(error instanceof NoWorkersAvailable, String(error));
    assert.deepEqual(
      error.causes.map((cause) => [cause.code, cause.message]),
      [[
        "RESOURCE_EXHAUSTED",
        "Rejected by backpressure hook: cap 1 reached at 1",
      ]],
    );
    const stats = pool.stats();
    assert.equal(stats.waited, 1);
    assert.equal(stats.exhausted, 1);
    await gate.release();
    assert.equal(await held, "held");
  });

  Deno.test(`WorkerPool with admissionWaitMs rejects a waiting call with its signal's reason when it aborts ${on}`, async () => {
    await using rejections = await openRejectionCounter();
    await using pool = await startPool(transport, 1, rejections.port, 60_000);
    await using gate = Gate.open();
    const tasks = pool.remote<Tasks>(TASKS);
    const held = tasks.waitAtGate(gate.port, "held");
    await arrived(gate, 1, [held]);

    const controller = new AbortController();
    const waiting = pool.dispatch({
      module: TASKS,
      export: "add",
      args: [1, 2],
      signal: controller.signal,
    });
    await arrived(rejections, 2, [waiting]);
    const reason = new Error("the caller gave up");
    controller.abort(reason);
    await assert.rejects(waiting, (error: unknown) => error === reason);
    const stats = pool.stats();
    assert.equal(stats.waited, 1);
    assert.equal(stats.exhausted, 0);

    await gate.release();
    assert.equal(await held, "held");
    assert.equal(await tasks.add(2, 3), 5);
  });
}
