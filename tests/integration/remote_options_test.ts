/**
 * `pool.remote(module, options)`: every call made through the proxy carries
 * the options' `timeoutMs`, `signal` and `tag`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { DispatchTimeout, NoWorkersAvailable, WorkerPool } from "../../mod.ts";
import { Gate } from "../_helpers/gate.ts";

type Tasks = typeof import("../_fixtures/tasks.ts");
const TASKS = import.meta.resolve("../_fixtures/tasks.ts");

Deno.test("WorkerPool.remote() gives every call its timeoutMs, signal and tag", async (t) => {
  await using gate = Gate.open();
  await using pool = await WorkerPool.start({
    spawn: 1,
    backpressure: import.meta.resolve("../_fixtures/hooks/rejects_bulk.ts"),
  });

  await t.step(
    "timeoutMs: a held call rejects with DispatchTimeout",
    async () => {
      const tasks = pool.remote<Tasks>(TASKS, { timeoutMs: 200 });
      await assert.rejects(
        tasks.waitAtGate(gate.port, "late"),
        (error: unknown) =>
          error instanceof DispatchTimeout && error.timeoutMs === 200,
      );
    },
  );

  await t.step(
    "signal: aborting it rejects a held call with its reason",
    async () => {
      const controller = new AbortController();
      const tasks = pool.remote<Tasks>(TASKS, { signal: controller.signal });
      const arrivals = gate.arrivals;
      const held = tasks.waitAtGate(gate.port, "held");
      await gate.arrived(arrivals + 1);
      controller.abort(new Error("stop now"));
      await assert.rejects(held, /stop now/);
    },
  );

  await t.step("tag: the worker's hook sees it", async () => {
    const bulk = pool.remote<Tasks>(TASKS, { tag: "bulk" });
    const error = await bulk.add(1, 2).then(
      (value) => assert.fail(`expected a rejection, resolved ${value}`),
      (error: unknown) => error,
    );
    assert.ok(error instanceof NoWorkersAvailable, String(error));
    assert.match(error.causes[0].message, /bulk/);
    assert.equal(await pool.remote<Tasks>(TASKS).add(1, 2), 3);
  });

  await t.step(
    "wrong options are a TypeError or RangeError naming them",
    () => {
      assert.throws(
        // @ts-expect-error: timeoutMs must be a number
        () => pool.remote<Tasks>(TASKS, { timeoutMs: "1s" }),
        (error: unknown) =>
          error instanceof TypeError && /"timeoutMs"/.test(error.message),
      );
      assert.throws(
        () => pool.remote<Tasks>(TASKS, { timeoutMs: -1 }),
        (error: unknown) =>
          error instanceof RangeError && /"timeoutMs"/.test(error.message),
      );
      assert.throws(
        // @ts-expect-error: no such option
        () => pool.remote<Tasks>(TASKS, { timeout: 5 }),
        (error: unknown) =>
          error instanceof TypeError && /"timeout"/.test(error.message),
      );
    },
  );
});
