import assert from "node:assert/strict";
import { requestFrame, responseFrame } from "../../../src/wire/frames.ts";

Deno.test("requestFrame() names the oneof member it sets", () => {
  assert.deepStrictEqual(requestFrame("next", {}), { frame: "next", next: {} });
  const value = new Uint8Array([1]);
  assert.deepStrictEqual(requestFrame("send", { value }), {
    frame: "send",
    send: { value },
  });
});

Deno.test("responseFrame() names the oneof member it sets", () => {
  assert.deepStrictEqual(responseFrame("ack", { generator: true }), {
    frame: "ack",
    ack: { generator: true },
  });
  const error = new Uint8Array([2]);
  assert.deepStrictEqual(responseFrame("nack", { error }), {
    frame: "nack",
    nack: { error },
  });
});
