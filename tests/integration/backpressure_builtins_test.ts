/**
 * The built-in hook factories of `@wool/core/backpressure`, named by a
 * pool's `backpressure` option and run in real workers.
 *
 * @module
 */
import assert from "node:assert/strict";
import { NoWorkersAvailable, WorkerPool } from "../../mod.ts";
import { Gate } from "../_helpers/gate.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";
import { arrived, noWorkers } from "../_helpers/admission.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");
const BUILT_INS = "@wool/core/backpressure";

for (const transport of TRANSPORTS) {
  const on = `(transport "${transport}")`;

  Deno.test(`maxActive({ limit: 2 }) lets each worker run two tasks and rejects the next with the count ${on}`, async () => {
    await using pool = await WorkerPool.start({
      spawn: 2,
      transport,
      backpressure: {
        module: BUILT_INS,
        export: "maxActive",
        options: { limit: 2 },
      },
    });
    await using gate = Gate.open();
    const tasks = pool.remote<Tasks>(TASKS);
    const held = Array.from(
      { length: 4 },
      (_, i) => tasks.waitAtGate(gate.port, i),
    );
    await arrived(gate, 4, held);
    const error = await noWorkers(tasks.add(1, 2));
    assert.deepEqual(
      error.causes.map((cause) => [cause.code, cause.message]),
      Array(2).fill([
        "RESOURCE_EXHAUSTED",
        "Rejected by backpressure hook: 2 active tasks, limit 2",
      ]),
    );
    await gate.release();
    assert.deepEqual(await Promise.all(held), [0, 1, 2, 3]);
    for (const worker of pool.stats().workers) {
      assert.equal(worker.accepted, 2);
    }
    assert.equal(await tasks.add(1, 2), 3);
  });

  Deno.test(`memoryPressure({ maxRssBytes: 1 }) rejects every task with a reason naming the RSS ${on}`, async () => {
    await using pool = await WorkerPool.start({
      spawn: 2,
      transport,
      backpressure: {
        module: BUILT_INS,
        export: "memoryPressure",
        options: { maxRssBytes: 1 },
      },
    });
    for (let i = 0; i < 3; i++) {
      const error = await noWorkers(
        pool.dispatch({ module: TASKS, export: "add", args: [1, 2] }),
      );
      assert.equal(error.causes.length, 2);
      for (const cause of error.causes) {
        assert.equal(cause.code, "RESOURCE_EXHAUSTED");
        assert.match(
          cause.message,
          /^Rejected by backpressure hook: RSS \d+\.\d MiB is above the limit of 0\.0 MiB$/,
        );
      }
    }
    for (const worker of pool.stats().workers) {
      assert.equal(worker.accepted, 0);
      assert.equal(worker.rejected.hook, 3);
    }
  });

  Deno.test(`rateLimit({ burst: 2 }) admits exactly two of a quick burst per worker ${on}`, async () => {
    // One token per 1000 s: no token comes back during the test, however
    // slow the machine, so exactly the burst is admitted.
    await using pool = await WorkerPool.start({
      spawn: 2,
      transport,
      backpressure: {
        module: BUILT_INS,
        export: "rateLimit",
        options: { perSecond: 0.001, burst: 2 },
      },
    });
    const tasks = pool.remote<Tasks>(TASKS);
    const settled = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => tasks.add(i, i)),
    );
    const fulfilled = settled.filter((outcome) =>
      outcome.status === "fulfilled"
    );
    assert.equal(fulfilled.length, 4);
    for (const outcome of settled) {
      if (outcome.status === "fulfilled") continue;
      assert.ok(outcome.reason instanceof NoWorkersAvailable);
      for (const cause of outcome.reason.causes) {
        assert.match(
          cause.message,
          /^Rejected by backpressure hook: more than 0\.001 tasks per second \(burst 2\); next token in \d+ ms$/,
        );
      }
    }
    for (const worker of pool.stats().workers) {
      assert.equal(worker.accepted, 2);
    }
  });
}
