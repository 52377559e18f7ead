import assert from "node:assert/strict";
import { createBackpressureContext } from "../../../src/backpressure/context.ts";
import type { Task } from "../../../src/backpressure/types.ts";

const TASK: Task = {
  id: "t-1",
  module: "file:///srv/tasks.ts",
  export: "add",
  args: [1, { nested: [2] }],
};

Deno.test("createBackpressureContext() carries the count and every task field", () => {
  const ctx = createBackpressureContext(3, {
    ...TASK,
    tag: "heavy",
    caller: "t-0",
    depth: 2,
    timeoutMs: 250,
  });
  assert.deepEqual(ctx, {
    activeTaskCount: 3,
    task: {
      id: "t-1",
      module: "file:///srv/tasks.ts",
      export: "add",
      args: [1, { nested: [2] }],
      tag: "heavy",
      caller: "t-0",
      depth: 2,
      timeoutMs: 250,
    },
  });
});

Deno.test("createBackpressureContext() freezes the context, the task and the args array", () => {
  const ctx = createBackpressureContext(0, TASK);
  assert.ok(Object.isFrozen(ctx));
  assert.ok(Object.isFrozen(ctx.task));
  assert.ok(Object.isFrozen(ctx.task.args));
  assert.throws(() => {
    (ctx as { activeTaskCount: number }).activeTaskCount = 9;
  }, TypeError);
  assert.throws(() => {
    (ctx.task as { tag?: string }).tag = "x";
  }, TypeError);
  assert.throws(() => {
    (ctx.task.args as unknown[]).push(3);
  }, TypeError);
});

Deno.test("createBackpressureContext() freezes args shallowly and leaves the values inside alone", () => {
  const inner = { nested: [2] };
  const ctx = createBackpressureContext(0, { ...TASK, args: [inner] });
  assert.equal(ctx.task.args[0], inner);
  assert.ok(!Object.isFrozen(inner));
});

Deno.test("createBackpressureContext() does not freeze the caller's args array", () => {
  const args = [1, 2];
  const ctx = createBackpressureContext(0, { ...TASK, args });
  assert.ok(!Object.isFrozen(args));
  args.push(3);
  assert.deepEqual(ctx.task.args, [1, 2]);
});

Deno.test("createBackpressureContext() omits optional fields the task does not have", () => {
  const ctx = createBackpressureContext(0, {
    ...TASK,
    tag: undefined,
    caller: undefined,
    depth: undefined,
    timeoutMs: undefined,
  });
  assert.deepEqual(Object.keys(ctx.task), ["id", "module", "export", "args"]);
  assert.ok(!("tag" in ctx.task));
  assert.ok(!("caller" in ctx.task));
  assert.ok(!("depth" in ctx.task));
  assert.ok(!("timeoutMs" in ctx.task));
});

Deno.test("createBackpressureContext() keeps a timeoutMs of 0 and an empty tag", () => {
  const ctx = createBackpressureContext(0, { ...TASK, tag: "", timeoutMs: 0 });
  assert.equal(ctx.task.tag, "");
  assert.equal(ctx.task.timeoutMs, 0);
});
