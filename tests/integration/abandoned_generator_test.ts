import assert from "node:assert/strict";
import { WorkerPool } from "../../mod.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");

/** Runs a full garbage collection (the suite runs with --expose-gc). */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  assert.ok(gc, "run with --v8-flags=--expose-gc");
  gc();
}

/** Lets finalizers of the last collection run. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("WorkerPool.dispatch() closes a generator call that was dropped without being iterated", async () => {
  await using pool = await WorkerPool.start({
    spawn: 1,
    maxConcurrentDispatches: 1,
  });
  const abandon = async () => {
    const call = pool.dispatch({ module: TASKS, export: "count", args: [5] });
    const first = await call[Symbol.asyncIterator]().next();
    assert.deepEqual(first, { done: false, value: 0 });
  };
  await abandon();
  // The one permit is held by the dropped generator until it is collected:
  // a call made now can only be served once the finalizer closes it.
  const next = pool.dispatch({ module: TASKS, export: "add", args: [1, 2] });
  let settled = false;
  for (let turn = 0; turn < 1000 && !settled; turn++) {
    collectGarbage();
    settled = await Promise.race([
      next.then(() => true),
      nextTurn().then(() => false),
    ]);
  }
  assert.ok(settled, "the dropped generator still holds the only permit");
  assert.equal(await next, 3);
});
