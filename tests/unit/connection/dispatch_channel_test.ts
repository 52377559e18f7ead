import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { grpc } from "../../../src/wire/grpc.ts";
import {
  type DropStream,
  openDispatchChannel,
} from "../../../src/connection/dispatch_channel.ts";
import { isDeliveryUnknown, Status } from "../../../src/wire/status.ts";
import type { RequestFrame, ResponseFrame } from "../../../src/wire/frames.ts";
import { FakeGrpcClient } from "../../_helpers/fake_grpc_call.ts";

// The doubles (`FakeGrpcClient`) pass messages through as they are.
const METHOD = {
  path: "/wool.v1.Worker/Dispatch",
  requestSerialize: (frame: RequestFrame) => frame,
  responseDeserialize: (frame: ResponseFrame) => frame,
} as unknown as grpc.MethodDefinition<RequestFrame, ResponseFrame>;

/** What the channel is told to present on its stream. */
const CREDENTIAL = new grpc.Metadata();

function open(
  state = grpc.connectivityState.READY,
  streams?: Set<DropStream>,
) {
  const client = new FakeGrpcClient<RequestFrame, ResponseFrame>(state);
  const channel = openDispatchChannel(
    client as unknown as grpc.Client,
    METHOD,
    CREDENTIAL,
    streams,
  );
  assert.deepStrictEqual(client.paths, ["/wool.v1.Worker/Dispatch"]);
  const [call] = client.calls;
  assert.equal(call.metadata, CREDENTIAL);
  return { channel, call };
}

const next: RequestFrame = { frame: "next", next: {} };
const ack: ResponseFrame = { frame: "ack", ack: { generator: false } };

Deno.test("openDispatchChannel() writes frames on a new stream and delivers its frames, then its status", async () => {
  const { channel, call } = open();
  channel.send(next);
  call.send(ack);
  call.end(0, "", [["wool-origin", "worker"]]);
  assert.deepStrictEqual(call.written, [next]);
  assert.deepStrictEqual(await channel.receive(), {
    kind: "frame",
    frame: ack,
  });
  assert.deepStrictEqual(await channel.receive(), {
    kind: "end",
    status: { code: 0, details: "", metadata: { "wool-origin": "worker" } },
  });
});

Deno.test("openDispatchChannel() decodes text metadata and skips binary values", async () => {
  const { channel, call } = open();
  call.end(8, "rejected", [
    ["wool-rejected", "backpressure"],
    ["wool-reason", encodeURIComponent("queue: 8/8 ✓")],
    ["wool-bad", "%E0%A4%A"],
    ["trace-bin", Buffer.from([1, 2])],
  ]);
  assert.deepStrictEqual(await channel.receive(), {
    kind: "end",
    status: {
      code: 8,
      details: "rejected",
      metadata: {
        "wool-rejected": "backpressure",
        "wool-reason": "queue: 8/8 ✓",
        "wool-bad": "%E0%A4%A",
      },
    },
  });
});

Deno.test("openDispatchChannel() marks a status grpc-js made up on a live connection as delivery unknown", async () => {
  const live = open(grpc.connectivityState.READY);
  live.call.end(14, "Connection dropped");
  const idle = open(grpc.connectivityState.IDLE);
  idle.call.end(14, "No connection established");
  const metadataOf = async (channel: typeof live.channel) => {
    const event = await channel.receive();
    return event.kind === "end" ? event.status.metadata : undefined;
  };
  assert.deepStrictEqual(await metadataOf(live.channel), {
    "wool-delivery-unknown": "1",
  });
  assert.deepStrictEqual(await metadataOf(idle.channel), {});
});

Deno.test("openDispatchChannel() cancel() ends the task as CANCELLED once and stops writing", async () => {
  const { channel, call } = open();
  channel.cancel();
  channel.cancel();
  channel.send(next);
  await new Promise((resolve) => setImmediate(resolve));
  call.end(1, "Cancelled on client");
  assert.equal(call.cancelled, 1);
  assert.deepStrictEqual(call.written, []);
  const event = await channel.receive();
  assert.equal(
    event.kind === "end" && event.status.details,
    "Cancelled by the caller",
  );
});

Deno.test("openDispatchChannel() cancel() leaves a finished task's stream alone", async () => {
  const { channel, call } = open();
  call.send(ack);
  call.send({ frame: "result", result: { value: new Uint8Array() } });
  channel.cancel();
  assert.equal(call.cancelled, 0);
  call.end(0, "");
  const seen: string[] = [];
  for (let i = 0; i < 3; i++) {
    const event = await channel.receive();
    seen.push(
      event.kind === "frame"
        ? event.frame.frame ?? "none"
        : `end ${event.status.code}`,
    );
  }
  assert.deepStrictEqual(seen, ["ack", "result", "end 0"]);
});

Deno.test("openDispatchChannel() lists an open stream's drop, which ends it delivery unknown on a live connection, until its status", async () => {
  const streams = new Set<DropStream>();
  const { channel, call } = open(grpc.connectivityState.READY, streams);
  const other = open(grpc.connectivityState.READY, streams);
  assert.equal(streams.size, 2);
  other.call.end(0, "");
  assert.equal(streams.size, 1, "an ended stream leaves the list");
  for (const drop of streams) drop();
  const end = await channel.receive();
  assert.ok(end.kind === "end");
  assert.equal(end.status.code, Status.CANCELLED);
  assert.equal(isDeliveryUnknown(end.status), true);
  assert.equal(call.cancelled, 1);
});

Deno.test("openDispatchChannel() drops a stream opened before its connection was up as plainly CANCELLED", async () => {
  const streams = new Set<DropStream>();
  const { channel } = open(grpc.connectivityState.CONNECTING, streams);
  for (const drop of streams) drop();
  const end = await channel.receive();
  assert.ok(end.kind === "end");
  assert.equal(isDeliveryUnknown(end.status), false);
});
