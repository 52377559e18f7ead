/**
 * `ChannelEvents.relayCalls`: a task's nested Call frames go to its relay
 * only while the task is in flight (from its Ack to its end), and the
 * relay's handler is made at the first of them, never for a task that
 * makes none.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type CallHandler,
  type CallRelay,
  ChannelEvents,
  type ReplyChannel,
} from "../../../src/call/channel_events.ts";
import type {
  Call,
  ResponseFrame,
  TaskFrame,
} from "../../../src/wire/frames.ts";
import { CANCELLED_STATUS } from "../../../src/wire/status.ts";
import { makeTaskFrame } from "../../_helpers/task_frame.ts";

const ack: ResponseFrame = { frame: "ack", ack: { generator: false } };
const result: ResponseFrame = {
  frame: "result",
  result: { value: new Uint8Array() },
};
const callFrame = (id: number): ResponseFrame => ({
  frame: "call",
  call: { id, frame: "cancel", cancel: {} },
});

const PARENT: TaskFrame = makeTaskFrame({ id: "parent" });
const REPLIES: ReplyChannel = { send() {} };

/**
 * A relay whose handlers write down what they are told, in one log with
 * the handlers made (`made <parent id>`).
 */
function recorder(): CallRelay & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    handlerFor(parent: TaskFrame, channel: ReplyChannel): CallHandler {
      assert.equal(channel, REPLIES);
      log.push(`made ${parent.id}`);
      return {
        call: (frame: Call) => log.push(`call ${frame.id}`),
        parentEnded: () => log.push("ended"),
      };
    },
  };
}

Deno.test("ChannelEvents relays Call frames after the Ack to one handler made at the first, not to the reader, and tells it when the task ends", async () => {
  const events = new ChannelEvents();
  const handler = recorder();
  events.relayCalls(handler, PARENT, REPLIES);
  events.pushFrame(ack);
  events.pushFrame(callFrame(1));
  events.pushFrame(callFrame(2));
  events.pushFrame(result);
  assert.equal((await events.next()).kind, "frame");
  const next = await events.next();
  assert.equal(next.kind === "frame" && next.frame.frame, "result");
  assert.deepStrictEqual(handler.log, ["made parent", "call 1", "call 2"]);
  assert.ok(
    events.finished,
    "a Call frame does not end a task, its Result does",
  );
  events.pushEnd({ code: 0, details: "", metadata: {} });
  events.pushFrame(callFrame(3));
  assert.deepStrictEqual(handler.log, [
    "made parent",
    "call 1",
    "call 2",
    "ended",
  ]);
});

Deno.test("ChannelEvents makes no handler for a task that makes no nested call, and its end tells no one", async () => {
  const events = new ChannelEvents();
  const handler = recorder();
  events.relayCalls(handler, PARENT, REPLIES);
  events.pushFrame(ack);
  events.pushFrame(result);
  events.pushEnd({ code: 0, details: "", metadata: {} });
  assert.equal((await events.next()).kind, "frame");
  assert.deepStrictEqual(handler.log, []);
});

Deno.test("ChannelEvents delivers a Call frame before the Ack as a frame: the reader refuses it out of turn", async () => {
  const events = new ChannelEvents();
  const handler = recorder();
  events.relayCalls(handler, PARENT, REPLIES);
  events.pushFrame(callFrame(1));
  const event = await events.next();
  assert.equal(event.kind === "frame" && event.frame.frame, "call");
  assert.deepStrictEqual(handler.log, []);
});

Deno.test("ChannelEvents without a relay delivers Call frames to the reader", async () => {
  const events = new ChannelEvents();
  events.pushFrame(ack);
  events.pushFrame(callFrame(1));
  await events.next();
  const event = await events.next();
  assert.equal(event.kind === "frame" && event.frame.frame, "call");
  assert.equal(events.finished, false);
});

Deno.test("ChannelEvents given a relay after the end makes no handler: no Call frame gets through", () => {
  const events = new ChannelEvents();
  events.pushFrame(ack);
  events.pushEnd(CANCELLED_STATUS);
  const handler = recorder();
  events.relayCalls(handler, PARENT, REPLIES);
  events.pushFrame(callFrame(1));
  assert.deepStrictEqual(handler.log, []);
});
