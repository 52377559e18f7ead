/**
 * Newest first under pressure, through a real worker: once its hook has
 * rejected a task while the worker runs one, the tasks it reads in one
 * turn are decided at the end of that turn, newest first, so a slot that
 * frees meanwhile goes to the task that has waited least.
 *
 * A worker capped at one task by `maxActive({ limit: 1 })` runs a task
 * that holds its slot until aborted (its module loaded already, so it
 * waits on its signal from the turn it is admitted in); a call it rejects
 * puts it under pressure. Then, in one turn of the caller, the holder is cancelled and
 * three calls are made: the Session transport carries the four frames in
 * one message, so the worker reads them in one turn. The holder ends as
 * its signal aborts, within that turn; the newest call gets the slot and
 * the two older ones are rejected. Decided in arrival order, as each
 * arrived, all three would find the holder still in its slot.
 *
 * @module
 */
import assert from "node:assert/strict";
import { NoWorkersAvailable, WorkerPool } from "../../mod.ts";
import { nextTurn } from "../_helpers/next_turn.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");

function assertRejectedByHook(outcome: PromiseSettledResult<unknown>): void {
  assert.equal(outcome.status, "rejected");
  const error = (outcome as PromiseRejectedResult).reason;
  assert.ok(error instanceof NoWorkersAvailable, String(error));
  assert.equal(error.causes[0].code, "RESOURCE_EXHAUSTED");
}

Deno.test("WorkerPool: a worker under pressure gives a slot freed in one turn to the newest of the tasks read in it", async () => {
  await using pool = await WorkerPool.start({
    spawn: 1,
    transport: "session",
    backpressure: {
      module: "@wool/core/backpressure",
      export: "maxActive",
      options: { limit: 1 },
    },
  });
  const tasks = pool.remote<Tasks>(TASKS);
  assert.equal(await tasks.add(1, 2), 3);
  const holder = new AbortController();
  const held = pool.dispatch({
    module: TASKS,
    export: "holdUntilAborted",
    signal: holder.signal,
  });
  held.catch(() => {});
  const [refused] = await Promise.allSettled([tasks.add(1, 2)]);
  assertRejectedByHook(refused);
  // The holder's Ack reached this process before that rejection (one
  // stream, in order), but its call takes the worker's lease up some
  // microtasks later: aborted before then, it would send its cancel a
  // message after the three calls, and the worker would decide them with
  // the holder still in its slot.
  await nextTurn();

  holder.abort();
  const calls = ["old", "middle", "new"].map((id) => tasks.echo(id));
  const [old, middle, fresh] = await Promise.allSettled(calls);

  assert.deepEqual(fresh, { status: "fulfilled", value: "new" });
  assertRejectedByHook(old);
  assertRejectedByHook(middle);
  const [stats] = pool.stats().workers;
  assert.equal(stats.rejected.hook, 3);
});
