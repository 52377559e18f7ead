import assert from "node:assert/strict";
import {
  type ChannelEvent,
  ChannelEvents,
} from "../../../src/connection/task_channel.ts";
import type { ResponseFrame } from "../../../src/wire/frames.ts";
import { CANCELLED_STATUS } from "../../../src/wire/status.ts";

const bytes = new Uint8Array();
const ack = (generator: boolean): ResponseFrame => ({
  frame: "ack",
  ack: { generator },
});
const result: ResponseFrame = { frame: "result", result: { value: bytes } };
const done: ResponseFrame = { frame: "done", done: { value: bytes } };
const exception: ResponseFrame = {
  frame: "exception",
  exception: { error: bytes },
};
const nack: ResponseFrame = { frame: "nack", nack: { error: bytes } };
const OK = { code: 0, details: "", metadata: {} };

function describe(event: ChannelEvent): string {
  return event.kind === "frame"
    ? event.frame.frame ?? "none"
    : `end ${event.status.code}`;
}

Deno.test("ChannelEvents delivers buffered frames in order, then the end, then the end again", async () => {
  const events = new ChannelEvents();
  events.pushFrame(ack(false));
  events.pushFrame(result);
  events.pushEnd(OK);
  const seen: string[] = [];
  for (let i = 0; i < 4; i++) seen.push(describe(await events.next()));
  assert.deepStrictEqual(seen, ["ack", "result", "end 0", "end 0"]);
});

Deno.test("ChannelEvents hands a frame to the reader already waiting for it", async () => {
  const events = new ChannelEvents();
  const next = events.next();
  events.pushFrame(ack(true));
  assert.equal(describe(await next), "ack");
});

Deno.test("ChannelEvents ignores every push after the end", async () => {
  const events = new ChannelEvents();
  events.pushEnd(CANCELLED_STATUS);
  events.pushFrame(result);
  events.pushEnd(OK);
  assert.ok(events.ended);
  assert.deepStrictEqual(await events.next(), {
    kind: "end",
    status: CANCELLED_STATUS,
  });
});

Deno.test("ChannelEvents.finished marks the terminal frame of a coroutine or a generator", () => {
  const cases: [string, ResponseFrame[], boolean][] = [
    ["ack only", [ack(false)], false],
    ["coroutine result", [ack(false), result], true],
    ["generator results", [ack(true), result, result], false],
    ["generator done", [ack(true), result, done], true],
    ["exception", [ack(true), exception], true],
    ["nack", [nack], true],
  ];
  for (const [name, frames, finished] of cases) {
    const events = new ChannelEvents();
    for (const frame of frames) events.pushFrame(frame);
    assert.equal(events.finished, finished, name);
    assert.equal(events.ended, false, name);
  }
});
