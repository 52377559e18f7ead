/**
 * Where rejected tasks go, and what they leave behind: a rejection moves
 * the call to the next worker; a task rejected everywhere fails with one
 * `RESOURCE_EXHAUSTED` cause per worker; a rejected task has no side
 * effect, takes no docket slot and does not touch the worker's idle clock;
 * an open generator holds its slot until it is closed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { WorkerPool } from "../../mod.ts";
import { Gate } from "../_helpers/gate.ts";
import { RawWorkerClient } from "../_helpers/raw_client.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";
import { arrived, noWorkers } from "../_helpers/admission.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");
const SCRIPTED = import.meta.resolve("../_fixtures/hooks/scripted.ts");
const MAX_ACTIVE_1 = {
  module: "@wool/core/backpressure",
  export: "maxActive",
  options: { limit: 1 },
} as const;

async function withTempDir(
  body: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wool_routing_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function readLines(path: string): Promise<string[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((line) => line !== "");
}

for (const transport of TRANSPORTS) {
  const on = `(transport "${transport}")`;

  Deno.test(`WorkerPool routes every call to the accepting worker when the other rejects, and the rejecting worker runs nothing ${on}`, async () => {
    await withTempDir(async (dir) => {
      const claim = `${dir}/claim.txt`;
      const marks = `${dir}/marks.txt`;
      await using pool = await WorkerPool.start({
        spawn: 2,
        transport,
        backpressure: {
          module: SCRIPTED,
          export: "scripted",
          options: { claimFile: claim },
        },
      });
      const [rejecting] = (await readLines(claim)).map(Number);
      const accepting = pool.workers.find((w) => w.pid !== rejecting)!;
      assert.ok(pool.workers.some((w) => w.pid === rejecting));
      const tasks = pool.remote<Tasks>(TASKS);

      const sequential: number[] = [];
      for (let i = 0; i < 4; i++) sequential.push(await tasks.markPid(marks));
      const concurrent = await Promise.all(
        Array.from({ length: 8 }, () => tasks.markPid(marks)),
      );

      assert.deepEqual(
        [...sequential, ...concurrent],
        Array(12).fill(accepting.pid),
      );
      assert.deepEqual(
        await readLines(marks),
        Array(12).fill(String(accepting.pid)),
      );
      const stats = pool.stats().workers;
      const ofRejecting = stats.find((w) => w.address !== accepting.address)!;
      const ofAccepting = stats.find((w) => w.address === accepting.address)!;
      assert.equal(ofRejecting.accepted, 0);
      assert.ok(
        ofRejecting.rejected.hook >= 1,
        "the rejecting worker was tried",
      );
      assert.equal(ofAccepting.accepted, 12);
      assert.equal(ofAccepting.rejected.hook, 0);
    });
  });

  Deno.test(`WorkerPool fails a call every worker rejects with NoWorkersAvailable, one RESOURCE_EXHAUSTED cause per worker ${on}`, async () => {
    await using pool = await WorkerPool.start({
      spawn: 3,
      transport,
      backpressure: SCRIPTED,
    });
    const error = await noWorkers(
      pool.dispatch({ module: TASKS, export: "add", tag: "reject" }),
    );
    assert.deepEqual(
      error.causes.map((cause) => cause.address).sort(),
      pool.workers.map((worker) => worker.address).sort(),
    );
    for (const cause of error.causes) {
      assert.equal(cause.code, "RESOURCE_EXHAUSTED");
      assert.equal(
        cause.message,
        "Rejected by backpressure hook: tagged reject",
      );
    }
    assert.equal(pool.stats().exhausted, 1);
  });

  Deno.test(`WorkerPool leaves no side effect of a rejected task ${on}`, async () => {
    await withTempDir(async (dir) => {
      const marks = `${dir}/marks.txt`;
      await using pool = await WorkerPool.start({
        spawn: 2,
        transport,
        backpressure: SCRIPTED,
      });
      for (let i = 0; i < 5; i++) {
        await noWorkers(
          pool.dispatch({
            module: TASKS,
            export: "mark",
            args: [marks, `rejected ${i}`],
            tag: "reject",
          }),
        );
      }
      await assert.rejects(Deno.stat(marks), Deno.errors.NotFound);
      // The control: the same call, accepted, has its effect.
      await pool.dispatch({
        module: TASKS,
        export: "mark",
        args: [marks, "accepted"],
      });
      assert.deepEqual(await readLines(marks), ["accepted"]);
    });
  });

  Deno.test(`WorkerPool gives a rejected task no docket slot: after many rejections the one slot is still free ${on}`, async () => {
    await using pool = await WorkerPool.start({
      spawn: 1,
      transport,
      backpressure: {
        module: SCRIPTED,
        export: "scripted",
        options: { limit: 1 },
      },
    });
    await using gate = Gate.open();
    const tasks = pool.remote<Tasks>(TASKS);
    const tagged = Array.from(
      { length: 20 },
      () => pool.dispatch({ module: TASKS, export: "add", tag: "reject" }),
    );
    for (const call of tagged) await noWorkers(call);
    const held = tasks.waitAtGate(gate.port, "in the only slot");
    await arrived(gate, 1, [held]);
    const over = await noWorkers(tasks.add(1, 2));
    assert.equal(
      over.causes[0].message,
      "Rejected by backpressure hook: cap 1 reached at 1",
    );
    await gate.release();
    assert.equal(await held, "in the only slot");
    assert.equal(await tasks.add(1, 2), 3);
    assert.equal(pool.stats().workers[0].accepted, 2);
  });

  Deno.test(`WorkerPool's rejected tasks leave the worker's idle clock running ${on}`, async () => {
    await using pool = await WorkerPool.start({
      spawn: 1,
      transport,
      backpressure: SCRIPTED,
    });
    using raw = await RawWorkerClient.ofPool(pool);
    const before = await raw.idle();
    for (let i = 0; i < 10; i++) {
      await noWorkers(
        pool.dispatch({ module: TASKS, export: "add", tag: "reject" }),
      );
    }
    const after = await raw.idle();
    assert.ok(after >= before, `idle fell from ${before} s to ${after} s`);
    // The control: an accepted task does reset it, to no more than the
    // time since it was sent (which a stall of this process only lengthens).
    const sent = performance.now();
    await pool.dispatch({ module: TASKS, export: "add", args: [1, 2] });
    const reset = await raw.idle();
    const sinceSent = (performance.now() - sent) / 1000;
    assert.ok(
      reset <= sinceSent,
      `idle ${reset} s after a task sent ${sinceSent} s ago (${after} s before)`,
    );
  });

  Deno.test(`WorkerPool counts an open generator as active until it is closed ${on}`, async (t) => {
    await using pool = await WorkerPool.start({
      spawn: 1,
      transport,
      backpressure: MAX_ACTIVE_1,
    });
    const tasks = pool.remote<Tasks>(TASKS);

    await t.step("closed by return()", async () => {
      const stream = tasks.count(5)[Symbol.asyncIterator]();
      assert.deepEqual(await stream.next(), { done: false, value: 0 });
      const busy = await noWorkers(tasks.add(1, 2));
      assert.equal(
        busy.causes[0].message,
        "Rejected by backpressure hook: 1 active task, limit 1",
      );
      assert.deepEqual(await stream.return("early"), {
        done: true,
        value: "early",
      });
      assert.equal(await tasks.add(1, 2), 3);
    });

    await t.step("closed by break", async () => {
      const seen: number[] = [];
      for await (const value of tasks.count(5)) {
        seen.push(value);
        if (value === 1) {
          await noWorkers(tasks.add(1, 2));
          break;
        }
      }
      assert.deepEqual(seen, [0, 1]);
      assert.equal(await tasks.add(2, 2), 4);
    });

    await t.step("run to its end", async () => {
      const seen: number[] = [];
      for await (const value of tasks.count(2)) seen.push(value);
      assert.deepEqual(seen, [0, 1]);
      assert.equal(await tasks.add(3, 3), 6);
    });
  });
}
