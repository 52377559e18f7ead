import assert from "node:assert/strict";
import type { grpc } from "../../../src/wire/grpc.ts";
import { SessionMux } from "../../../src/connection/session_mux.ts";
import type {
  ChannelEvent,
  TaskChannel,
} from "../../../src/connection/task_channel.ts";
import type {
  RequestFrame,
  ResponseFrame,
  SessionRequestFrame,
  SessionRequests,
  SessionResponseFrame,
  SessionResponses,
  StreamId,
} from "../../../src/wire/frames.ts";
import { makeTaskFrame } from "../../_helpers/task_frame.ts";
import {
  type FakeGrpcCall,
  FakeGrpcClient,
} from "../../_helpers/fake_grpc_call.ts";

// The doubles (`FakeGrpcClient`) pass messages through as they are.
const METHOD = {
  path: "/wool.v1.Worker/Session",
  requestSerialize: (message: SessionRequests) => message,
  responseDeserialize: (message: SessionResponses) => message,
} as unknown as grpc.MethodDefinition<SessionRequests, SessionResponses>;

/** What the mux is told to present on each stream it opens. */
const CREDENTIAL = Object.freeze({ credential: "the pool's" });

type FakeClient = FakeGrpcClient<SessionRequests, SessionResponses>;
type FakeCall = FakeGrpcCall<SessionRequests, SessionResponses>;

/** The frames `call` was written, in order, across its messages. */
function frames(call: FakeCall): SessionRequestFrame[] {
  return call.written.flatMap((message) => message.frames);
}

/** Resolves with the frames written once there are `count` of them. */
async function framesWritten(
  call: FakeCall,
  count: number,
): Promise<SessionRequestFrame[]> {
  await call.writtenUntil(() => frames(call).length >= count);
  return frames(call);
}

/** Sends the caller one message of frames. */
function reply(call: FakeCall, ...frames: SessionResponseFrame[]): void {
  call.send({ frames });
}

function setUp(): { client: FakeClient; mux: SessionMux } {
  const client: FakeClient = new FakeGrpcClient();
  const mux = new SessionMux(
    client as unknown as grpc.Client,
    METHOD,
    1 << 20,
    () => CREDENTIAL as unknown as grpc.Metadata,
  );
  return { client, mux };
}

const task: RequestFrame = {
  frame: "task",
  task: makeTaskFrame({ protocolVersion: 1, id: "t", export: "f" }),
};
const bytes = new Uint8Array();
const ack = (generator: boolean): ResponseFrame => ({
  frame: "ack",
  ack: { generator },
});
const result: ResponseFrame = { frame: "result", result: { value: bytes } };

function response(
  stream: StreamId,
  frame: ResponseFrame,
): SessionResponseFrame {
  return { stream, frame: "response", response: frame };
}

function describe(event: ChannelEvent): string {
  return event.kind === "frame"
    ? event.frame.frame ?? "none"
    : `end ${event.status.code}${
      event.status.details ? ` ${event.status.details}` : ""
    }`;
}

/** Reads `count` events of a channel, described. */
async function read(channel: TaskChannel, count: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < count; i++) seen.push(describe(await channel.receive()));
  return seen;
}

Deno.test("SessionMux opens one Session stream for its tasks, presenting the credential, and numbers them 1, 2, …", async () => {
  const { client, mux } = setUp();
  const first = mux.open();
  const second = mux.open();
  first.send(task);
  second.send(task);
  const written = await framesWritten(client.calls[0], 2);
  assert.deepStrictEqual(client.paths, ["/wool.v1.Worker/Session"]);
  assert.deepStrictEqual(
    client.calls.map((call) => call.metadata),
    [CREDENTIAL],
  );
  assert.deepStrictEqual(
    written.map((frame) => [frame.stream, frame.frame]),
    [[1, "request"], [2, "request"]],
  );
  mux.close();
});

Deno.test("SessionMux routes each response frame to the task its stream id names", async () => {
  const { client, mux } = setUp();
  const first = mux.open();
  const second = mux.open();
  const call = client.calls[0];
  reply(call, response(2, ack(true)), response(1, ack(false)));
  reply(call, response(2, result), response(99, result));
  assert.deepStrictEqual(await read(second, 2), ["ack", "result"]);
  assert.deepStrictEqual(await read(first, 1), ["ack"]);
  mux.close();
});

Deno.test("SessionMux ends a coroutine task at its Result, dropping later frames", async () => {
  const { client, mux } = setUp();
  const channel = mux.open();
  reply(
    client.calls[0],
    response(1, ack(false)),
    response(1, result),
    response(1, result),
  );
  assert.deepStrictEqual(await read(channel, 3), ["ack", "result", "end 0"]);
  mux.close();
});

Deno.test("SessionMux keeps a generator task open across Results until Done", async () => {
  const { client, mux } = setUp();
  const channel = mux.open();
  reply(
    client.calls[0],
    response(1, ack(true)),
    response(1, result),
    response(1, result),
    response(1, { frame: "done", done: { value: bytes } }),
    response(1, result),
  );
  assert.deepStrictEqual(await read(channel, 5), [
    "ack",
    "result",
    "result",
    "done",
    "end 0",
  ]);
  mux.close();
});

Deno.test("SessionMux ends a task at an Exception or a Nack", async () => {
  const { client, mux } = setUp();
  const failed = mux.open();
  const refused = mux.open();
  reply(
    client.calls[0],
    response(1, ack(true)),
    response(1, { frame: "exception", exception: { error: bytes } }),
    response(2, { frame: "nack", nack: { error: bytes } }),
  );
  assert.deepStrictEqual(await read(failed, 3), ["ack", "exception", "end 0"]);
  assert.deepStrictEqual(await read(refused, 2), ["nack", "end 0"]);
  mux.close();
});

Deno.test("SessionMux ends a task with its Status frame, and with INTERNAL at a frame carrying neither a response nor a status", async () => {
  const { client, mux } = setUp();
  const rejected = mux.open();
  const empty = mux.open();
  reply(
    client.calls[0],
    {
      stream: 1,
      frame: "status",
      status: {
        code: 8,
        details: "busy",
        metadata: { "wool-rejected": "backpressure" },
      },
    }, // As decoded when the worker set no member of the oneof.
    { stream: 2 },
  );
  assert.deepStrictEqual(await rejected.receive(), {
    kind: "end",
    status: {
      code: 8,
      details: "busy",
      metadata: { "wool-rejected": "backpressure" },
    },
  });
  const ended = await empty.receive();
  assert.ok(ended.kind === "end");
  assert.equal(ended.status.code, 13);
  assert.match(ended.status.details, /neither a response nor a status/);
  mux.close();
});

Deno.test("SessionMux cancel() ends the task as CANCELLED and tells the worker once", async () => {
  const { client, mux } = setUp();
  const channel = mux.open();
  channel.send(task);
  channel.cancel();
  channel.cancel();
  channel.send({ frame: "next", next: {} });
  const call = client.calls[0];
  await framesWritten(call, 2);
  assert.deepStrictEqual(
    frames(call).map((frame) => [frame.stream, frame.frame]),
    [[1, "request"], [1, "cancel"]],
  );
  assert.deepStrictEqual(await read(channel, 1), [
    "end 1 Cancelled by the caller",
  ]);
  reply(call, response(1, ack(false)));
  assert.deepStrictEqual(await read(channel, 1), [
    "end 1 Cancelled by the caller",
  ]);
  mux.close();
});

Deno.test("SessionMux fails every open task when the stream ends, then opens a new stream", async () => {
  const { client, mux } = setUp();
  const before = mux.open();
  const established = mux.open();
  const call = client.calls[0];
  call.end(14, "connection reset");
  assert.deepStrictEqual(await read(before, 1), ["end 14 connection reset"]);
  assert.deepStrictEqual(await read(established, 1), [
    "end 14 connection reset",
  ]);
  const after = mux.open();
  assert.equal(client.calls.length, 2);
  reply(client.calls[1], response(3, ack(false)));
  assert.deepStrictEqual(await read(after, 1), ["ack"]);
  mux.close();
});

Deno.test("SessionMux reads a stream that ended OK under open tasks as UNAVAILABLE", async () => {
  const { client, mux } = setUp();
  const channel = mux.open();
  client.calls[0].end(0);
  assert.deepStrictEqual(await read(channel, 1), [
    "end 14 The session stream ended",
  ]);
});

Deno.test("SessionMux marks tasks of a stream the worker served as delivery unknown when it breaks", async () => {
  const { client, mux } = setUp();
  const unserved = mux.open();
  const call = client.calls[0];
  call.end(14, "refused");
  const served = mux.open();
  const second = client.calls[1];
  second.headers();
  second.end(14, "reset");
  const metadataOf = async (channel: TaskChannel) => {
    const event = await channel.receive();
    assert.equal(event.kind, "end");
    return event.kind === "end" ? event.status.metadata : undefined;
  };
  assert.deepStrictEqual(await metadataOf(unserved), {});
  assert.deepStrictEqual(await metadataOf(served), {
    "wool-delivery-unknown": "1",
  });
});

Deno.test("SessionMux close() cancels the stream and ends open tasks as CANCELLED", async () => {
  const { client, mux } = setUp();
  mux.close();
  assert.equal(client.calls.length, 0, "closing an idle mux opens nothing");
  const channel = mux.open();
  mux.close();
  mux.close();
  assert.equal(client.calls[0].cancelled, 1);
  assert.deepStrictEqual(await read(channel, 1), [
    "end 1 Cancelled by the caller",
  ]);
});
