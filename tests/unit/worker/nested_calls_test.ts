/**
 * The worker's side of nested calls: the Call frames a task's calls send
 * (held until the task's Ack), and the caller's CallReply frames routed
 * back to each call's handle.
 *
 * @module
 */
import assert from "node:assert/strict";
import { startedCall } from "../../../src/call/remote_call.ts";
import { CallDepthExceeded } from "../../../src/wire/call_depth_exceeded.ts";
import { encodeError } from "../../../src/wire/errors.ts";
import type {
  CallReply,
  ResponseFrame,
  TaskFrame,
} from "../../../src/wire/frames.ts";
import { encodeValue } from "../../../src/wire/values.ts";
import { NestedCalls } from "../../../src/worker/nested_calls.ts";
import { makeTaskFrame } from "../../_helpers/task_frame.ts";

const TASK: TaskFrame = makeTaskFrame({ caller: "parent-1", depth: 1 });

function reply(id: number, response: ResponseFrame): CallReply {
  return { id, frame: "response", response };
}

const ACK: ResponseFrame = { frame: "ack", ack: { generator: false } };

/** What the task sent: each Call frame as `<id> <kind>`. */
function sentLog(): { sent: string[]; send: (frame: ResponseFrame) => void } {
  const sent: string[] = [];
  return {
    sent,
    send(frame) {
      assert.equal(frame.frame, "call");
      if (frame.frame !== "call") return;
      const call = frame.call;
      sent.push(
        `${call.id} ${
          call.frame === "request" ? call.request.frame : call.frame
        }`,
      );
    },
  };
}

Deno.test("NestedCalls holds a task's calls until its Ack has gone, then sends them in order", () => {
  const { sent, send } = sentLog();
  const calls = new NestedCalls(send, 1024);
  const signal = new AbortController().signal;
  calls.open(TASK, signal);
  calls.open(TASK, signal);
  assert.deepStrictEqual(sent, []);
  calls.acked();
  assert.deepStrictEqual(sent, ["1 task", "2 task"]);
  calls.open(TASK, signal);
  assert.deepStrictEqual(sent, ["1 task", "2 task", "3 task"]);
});

Deno.test("NestedCalls routes each reply to its call: an Ack then a Result settle the call's handle", async () => {
  const { send } = sentLog();
  const calls = new NestedCalls(send, 1024);
  calls.acked();
  const signal = new AbortController().signal;
  const first = startedCall<number>(calls.open(TASK, signal), "first");
  const second = startedCall<number>(calls.open(TASK, signal), "second");
  calls.deliver(reply(2, ACK));
  calls.deliver(reply(2, {
    frame: "result",
    result: { value: encodeValue(2) },
  }));
  calls.deliver(reply(1, ACK));
  calls.deliver(reply(1, {
    frame: "result",
    result: { value: encodeValue(1) },
  }));
  assert.deepStrictEqual(await Promise.all([first, second]), [1, 2]);
  assert.equal(calls.size, 0, "a finished call is routed no more replies");
  // A reply for no open call is dropped.
  calls.deliver(reply(7, ACK));
});

Deno.test("NestedCalls rejects a call the caller answered with a Nack with the error it carries, keeping its class", async () => {
  const calls = new NestedCalls(() => {}, 1024);
  calls.acked();
  const call = startedCall(
    calls.open(TASK, new AbortController().signal),
    "deep",
  );
  calls.deliver(reply(1, {
    frame: "nack",
    nack: { error: encodeError(new CallDepthExceeded(17, 16)) },
  }));
  const error = await call.then(() => null, (e) => e);
  assert.ok(error instanceof CallDepthExceeded);
  assert.equal(error.depth, 17);
  assert.equal(error.limit, 16);
});

Deno.test("NestedCalls: aborting a call's signal rejects it with the reason and tells the caller with a Cancel", async () => {
  const { sent, send } = sentLog();
  const calls = new NestedCalls(send, 1024);
  calls.acked();
  const controller = new AbortController();
  const call = startedCall(calls.open(TASK, controller.signal), "waiting");
  calls.deliver(reply(1, ACK));
  const reason = new Error("the task gave up");
  controller.abort(reason);
  assert.equal(await call.then(() => null, (e) => e), reason);
  assert.deepStrictEqual(sent, ["1 task", "1 cancel"]);
  assert.equal(calls.size, 0);
});

Deno.test("NestedCalls: the parent's end rejects its open calls and any call made later, sending nothing more", async () => {
  const { sent, send } = sentLog();
  const calls = new NestedCalls(send, 1024);
  calls.acked();
  const signal = new AbortController().signal;
  const open = startedCall(calls.open(TASK, signal), "open");
  const reason = new DOMException("the task ended", "AbortError");
  calls.parentEnded(reason);
  assert.equal(await open.then(() => null, (e) => e), reason);
  const late = startedCall(calls.open(TASK, signal), "late");
  assert.equal(await late.then(() => null, (e) => e), reason);
  assert.deepStrictEqual(sent, ["1 task"]);
});

Deno.test("NestedCalls: a call the caller ends with a status fails with a ProtocolError naming it", async () => {
  const calls = new NestedCalls(() => {}, 1024);
  calls.acked();
  const call = startedCall(
    calls.open(TASK, new AbortController().signal),
    "refused",
  );
  calls.deliver({
    id: 1,
    frame: "status",
    status: { code: 3, details: "Nested call 1 is already open", metadata: {} },
  });
  await assert.rejects(
    call,
    (e: Error) => e.name === "ProtocolError" && /already open/.test(e.message),
  );
});
