/**
 * `ChannelEvents.relayCalls`: a task's nested Call frames go to its relay
 * only while the task is in flight (from its Ack to its end).
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type CallHandler,
  ChannelEvents,
} from "../../../src/call/channel_events.ts";
import type { Call, ResponseFrame } from "../../../src/wire/frames.ts";
import { CANCELLED_STATUS } from "../../../src/wire/status.ts";

const ack: ResponseFrame = { frame: "ack", ack: { generator: false } };
const result: ResponseFrame = {
  frame: "result",
  result: { value: new Uint8Array() },
};
const callFrame = (id: number): ResponseFrame => ({
  frame: "call",
  call: { id, frame: "cancel", cancel: {} },
});

/** A handler that writes down what it is told. */
function recorder(): CallHandler & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    call: (frame: Call) => log.push(`call ${frame.id}`),
    parentEnded: () => log.push("ended"),
  };
}

Deno.test("ChannelEvents relays Call frames after the Ack, not to the reader, and tells the relay when the task ends", async () => {
  const events = new ChannelEvents();
  const handler = recorder();
  events.relayCalls(handler);
  events.pushFrame(ack);
  events.pushFrame(callFrame(1));
  events.pushFrame(callFrame(2));
  events.pushFrame(result);
  assert.equal((await events.next()).kind, "frame");
  const next = await events.next();
  assert.equal(next.kind === "frame" && next.frame.frame, "result");
  assert.deepStrictEqual(handler.log, ["call 1", "call 2"]);
  assert.ok(
    events.finished,
    "a Call frame does not end a task, its Result does",
  );
  events.pushEnd({ code: 0, details: "", metadata: {} });
  events.pushFrame(callFrame(3));
  assert.deepStrictEqual(handler.log, ["call 1", "call 2", "ended"]);
});

Deno.test("ChannelEvents delivers a Call frame before the Ack as a frame: the reader refuses it out of turn", async () => {
  const events = new ChannelEvents();
  const handler = recorder();
  events.relayCalls(handler);
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

Deno.test("ChannelEvents tells a relay given after the end that the task ended, at once", () => {
  const events = new ChannelEvents();
  events.pushEnd(CANCELLED_STATUS);
  const handler = recorder();
  events.relayCalls(handler);
  assert.deepStrictEqual(handler.log, ["ended"]);
});
