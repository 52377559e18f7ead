/**
 * Atomic admission through a real worker: deciding and entering the
 * docket are one step, so however many dispatches arrive at once, and
 * however slow an asynchronous hook is, a hook that rejects at
 * `activeTaskCount >= N` never lets more than N tasks in.
 *
 * Each test bursts 64 concurrent calls of `waitAtGate` at one worker whose
 * hook caps it at 3, counts the calls that arrive at the gate and those
 * rejected, and only then releases the gate.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type BackpressureSpec,
  NoWorkersAvailable,
  WorkerPool,
} from "../../mod.ts";
import { Gate } from "../_helpers/gate.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");
const SCRIPTED = import.meta.resolve("../_fixtures/hooks/scripted.ts");

const LIMIT = 3;
const BURST = 64;

const HOOKS: readonly (readonly [string, BackpressureSpec, RegExp])[] = [
  [
    "maxActive({ limit: 3 }) from @wool/core/backpressure",
    {
      module: "@wool/core/backpressure",
      export: "maxActive",
      options: { limit: LIMIT },
    },
    /^Rejected by backpressure hook: 3 active tasks, limit 3$/,
  ],
  [
    "an asynchronous hook that yields a macrotask between reading activeTaskCount and answering",
    {
      module: SCRIPTED,
      export: "scripted",
      options: { limit: LIMIT, slow: true },
    },
    /^Rejected by backpressure hook: cap 3 reached at 3$/,
  ],
];

for (const transport of TRANSPORTS) {
  for (const [name, backpressure, reason] of HOOKS) {
    Deno.test(`WorkerPool admits exactly 3 of a burst of 64 with ${name} (transport "${transport}")`, async () => {
      await using pool = await WorkerPool.start({
        spawn: 1,
        transport,
        backpressure,
      });
      await using gate = Gate.open();
      const tasks = pool.remote<Tasks>(TASKS);
      const calls = Array.from(
        { length: BURST },
        (_, i) => tasks.waitAtGate(gate.port, i),
      );
      const rejections: unknown[] = [];
      // Every call either arrives at the gate (admitted) or is rejected;
      // wait until all 64 are one or the other, however many got in.
      const answered = Promise.withResolvers<void>();
      const check = () => {
        if (rejections.length + gate.arrivals >= BURST) answered.resolve();
      };
      for (const call of calls) {
        call.then(() => {}, (error) => {
          rejections.push(error);
          check();
        });
      }
      for (let i = 1; i <= BURST; i++) void gate.arrived(i).then(check);
      await answered.promise;

      assert.equal(gate.arrivals, LIMIT, "tasks running together");
      assert.equal(rejections.length, BURST - LIMIT);
      for (const error of rejections) {
        assert.ok(error instanceof NoWorkersAvailable, String(error));
        assert.equal(error.causes.length, 1);
        assert.equal(error.causes[0].code, "RESOURCE_EXHAUSTED");
        assert.match(error.causes[0].message, reason);
      }

      await gate.release();
      const settled = await Promise.allSettled(calls);
      const values = settled.flatMap((outcome) =>
        outcome.status === "fulfilled" ? [outcome.value] : []
      );
      assert.equal(values.length, LIMIT);
      const [stats] = pool.stats().workers;
      assert.equal(stats.accepted, LIMIT);
      assert.equal(stats.rejected.hook, BURST - LIMIT);
      // The slots are free again.
      assert.equal(await tasks.add(1, 2), 3);
    });
  }
}
