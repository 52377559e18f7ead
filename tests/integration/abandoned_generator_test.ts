import assert from "node:assert/strict";
import { WorkerPool } from "../../mod.ts";
import { settles } from "../_helpers/deadline.ts";
import { nextTurn } from "../_helpers/next_turn.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");

/** Runs a full garbage collection (the suite runs with --expose-gc). */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  assert.ok(gc, "run with --v8-flags=--expose-gc");
  gc();
}

Deno.test("WorkerPool.dispatch() closes a generator call that was dropped without being iterated", async () => {
  await using pool = await WorkerPool.start({
    spawn: 1,
    maxConcurrentDispatches: 1,
  });
  const collected = Promise.withResolvers<void>();
  const watch = new FinalizationRegistry(() => collected.resolve());
  const abandon = async () => {
    const call = pool.dispatch({ module: TASKS, export: "count", args: [5] });
    watch.register(call, "the dropped call");
    const first = await call[Symbol.asyncIterator]().next();
    assert.deepEqual(first, { done: false, value: 0 });
  };
  await abandon();
  // The one permit is held by the dropped generator until it is collected:
  // a call made now can only be served once the finalizer closes it.
  const next = pool.dispatch({ module: TASKS, export: "add", args: [1, 2] });
  // Once the promise jobs of its last step have run, nothing refers to the
  // dropped call but the finalization registries: one full collection
  // finds it, and the pool's finalizer closes the generator.
  await nextTurn();
  collectGarbage();
  await settles(collected.promise, "collecting the dropped call");
  assert.equal(await settles(next, "the call waiting for the permit"), 3);
});
