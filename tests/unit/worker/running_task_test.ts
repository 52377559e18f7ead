import assert from "node:assert/strict";
import type { ResponseFrame } from "../../../src/wire/frames.ts";
import {
  type CallPort,
  RunningTask,
} from "../../../src/worker/running_task.ts";

function port(): CallPort & { sent: ResponseFrame[] } {
  const sent: ResponseFrame[] = [];
  return {
    sent,
    sendCall: (frame) => sent.push(frame),
    maxMessageBytes: 1 << 20,
  };
}

const CALL = { module: "file:///tasks.ts", export: "add", args: [1, 2] };

Deno.test("RunningTask makes its pool at the first use, once", () => {
  const task = new RunningTask("t1", new AbortController().signal, 2, port());
  assert.equal(task.pool, task.pool);
  assert.deepEqual([task.id, task.depth], ["t1", 2]);
});

Deno.test("RunningTask holds a nested call's frame until the task's Ack went out", () => {
  const calls = port();
  const task = new RunningTask("t1", new AbortController().signal, 0, calls);
  void task.pool.dispatch(CALL).then(undefined, () => {});
  assert.equal(calls.sent.length, 0);
  task.acked();
  assert.equal(calls.sent.length, 1);
  assert.equal(calls.sent[0].frame, "call");
  task.ended();
});

Deno.test("RunningTask whose task ended fails every later call with AbortError and sends nothing", async () => {
  const calls = port();
  const task = new RunningTask("t1", new AbortController().signal, 0, calls);
  task.acked();
  task.ended();
  await assert.rejects(
    task.pool.dispatch(CALL),
    (error: Error) => error.name === "AbortError",
  );
  assert.deepEqual(calls.sent, []);
});
