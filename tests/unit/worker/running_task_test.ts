import assert from "node:assert/strict";
import { NestedCalls } from "../../../src/worker/nested_calls.ts";
import {
  type NestedCallsSource,
  RunningTask,
} from "../../../src/worker/running_task.ts";

function source(): NestedCallsSource & { made: number } {
  return {
    made: 0,
    nestedCalls() {
      this.made++;
      return new NestedCalls(() => {}, 1 << 20);
    },
    maxMessageBytes: 1 << 20,
  };
}

Deno.test("RunningTask makes its pool at the first use, once", () => {
  const calls = source();
  const task = new RunningTask("t1", new AbortController().signal, 2, calls);
  assert.equal(calls.made, 0);
  assert.equal(task.pool, task.pool);
  assert.equal(calls.made, 1);
  assert.deepEqual([task.id, task.depth], ["t1", 2]);
});

Deno.test("RunningTask detached from its ended task fails every later call with AbortError, asking its session nothing", async () => {
  const calls = source();
  const task = new RunningTask("t1", new AbortController().signal, 0, calls);
  task.detach();
  await assert.rejects(
    task.pool.dispatch({ module: "file:///tasks.ts", export: "add" }),
    (error: Error) => error.name === "AbortError",
  );
  assert.equal(calls.made, 0);
});
