import assert from "node:assert/strict";
import { createBackpressureContext } from "../../../src/backpressure/context.ts";
import type {
  BackpressureHook,
  Task,
} from "../../../src/backpressure/types.ts";
import { withCapacity } from "../../../src/worker/capacity.ts";

const TASK: Task = Object.freeze({
  id: "t1",
  module: "file:///tasks.ts",
  export: "add",
  args: [1, 2],
});

function at(count: number) {
  return createBackpressureContext(count, TASK);
}

Deno.test("withCapacity() rejects at its capacity, naming --capacity, before asking the worker's hook", () => {
  const asked: number[] = [];
  const hook: BackpressureHook = (ctx) => {
    asked.push(ctx.activeTaskCount);
    return false;
  };
  const capped = withCapacity(2, hook);
  assert.equal(capped.admit(at(0)), false);
  assert.equal(capped.admit(at(1)), false);
  const full = capped.admit(at(2));
  assert.deepStrictEqual(full, {
    reject: true,
    reason: "the worker runs 2 tasks at once, its --capacity",
  });
  assert.deepStrictEqual(asked, [0, 1], "the hook was not asked when full");
});

Deno.test("withCapacity() below its capacity answers as the hook does, or accepts without one", async () => {
  const rejecting = withCapacity(
    4,
    () => Promise.resolve({ reject: true, reason: "mine" }),
  );
  assert.deepStrictEqual(await rejecting.admit(at(0)), {
    reject: true,
    reason: "mine",
  });
  assert.equal(withCapacity(1, null).admit(at(0)), false);
  assert.equal(
    (withCapacity(1, null).admit(at(1)) as { reject: boolean }).reject,
    true,
  );
});
