import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import type {
  RequestFrame,
  ResponseFrame,
  SessionRequestFrame,
  SessionResponseFrame,
  StatusFrame,
  StreamId,
  TaskFrame,
} from "../../src/wire/frames.ts";
import { loadWorkerService } from "../../src/wire/proto.ts";
import type {
  RequestInput,
  SessionRequestInput,
  TaskInput,
} from "../../src/wire/wool_pb.ts";

const service = loadWorkerService();

/** A method's codecs, as grpc-js calls them on each side. */
interface Codec<Req, Res> {
  requestSerialize(value: Req): Uint8Array;
  requestDeserialize(bytes: Uint8Array): Req;
  responseSerialize(value: Res): Uint8Array;
  responseDeserialize(bytes: Uint8Array): Res;
}

const dispatch = service.Dispatch as unknown as Codec<
  RequestInput,
  ResponseFrame
>;
const session = service.Session as unknown as Codec<
  { frames: SessionRequestInput[] },
  { frames: SessionResponseFrame[] }
>;

/** Valid Unicode text: protobuf strings are UTF-8. */
const text = fc.string({ unit: "grapheme", maxLength: 12 });
const bytes = fc.uint8Array({ maxLength: 24 });
const uint32 = fc.nat({ max: 0xffff_ffff });
const millis = fc.double({ min: 0, noNaN: true, noDefaultInfinity: true })
  .filter((ms) => !Object.is(ms, -0));

/**
 * A Task frame as a sender may write it (`tag`, `caller` and `timeoutMs`
 * left out when there are none), and as it is decoded: every field, the
 * ones left out at their proto3 defaults.
 */
const task: fc.Arbitrary<{ sent: TaskInput; decoded: TaskFrame }> = fc.record({
  protocolVersion: uint32,
  id: text,
  module: text,
  export: text,
  args: bytes,
  tag: text,
  caller: text,
  timeoutMs: millis,
  context: fc.dictionary(text, bytes, { maxKeys: 3 }),
  traceparent: text,
  tracestate: text,
  depth: fc.nat({ max: 0xffff_ffff }),
}, { requiredKeys: ["protocolVersion", "id", "module", "export", "args"] })
  .map((sent) => ({
    sent,
    decoded: {
      tag: "",
      caller: "",
      timeoutMs: 0,
      context: {},
      traceparent: "",
      tracestate: "",
      depth: 0,
      ...sent,
    },
  }));

/** A frame as sent, and as it must decode. */
interface Sample<T, Sent = T> {
  readonly sent: Sent;
  readonly decoded: T;
}

function same<T>(frame: T): Sample<T> {
  return { sent: frame, decoded: frame };
}

const request: fc.Arbitrary<Sample<RequestFrame, RequestInput>> = fc.oneof(
  task.map(({ sent, decoded }) => ({
    sent: { frame: "task" as const, task: sent },
    decoded: { frame: "task" as const, task: decoded },
  })),
  fc.constant(same<RequestFrame>({ frame: "next", next: {} })),
  bytes.map((value) => same<RequestFrame>({ frame: "send", send: { value } })),
  bytes.map((error) =>
    same<RequestFrame>({ frame: "throw", throw: { error } })
  ),
  bytes.map((value) =>
    same<RequestFrame>({ frame: "return", return: { value } })
  ),
);

const response: fc.Arbitrary<ResponseFrame> = fc.oneof(
  fc.boolean().map((generator) => ({
    frame: "ack" as const,
    ack: { generator },
  })),
  bytes.map((error) => ({ frame: "nack" as const, nack: { error } })),
  bytes.map((value) => ({ frame: "result" as const, result: { value } })),
  bytes.map((error) => ({
    frame: "exception" as const,
    exception: { error },
  })),
  bytes.map((value) => ({ frame: "done" as const, done: { value } })),
);

/**
 * Any uint64 stream id, written as a number or a bigint, and how it
 * decodes: a number up to 2^53 - 1, a bigint beyond.
 */
const stream: fc.Arbitrary<Sample<StreamId>> = fc.oneof(
  fc.maxSafeNat().map((id) => same<StreamId>(id)),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((id) => ({
    sent: id,
    decoded: id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : id,
  })),
);

const status: fc.Arbitrary<StatusFrame> = fc.record({
  code: uint32,
  details: text,
  metadata: fc.dictionary(fc.stringMatching(/^[a-z0-9-]{1,12}$/), text, {
    maxKeys: 3,
  }),
});

const sessionRequest: fc.Arbitrary<
  Sample<SessionRequestFrame, SessionRequestInput>
> = fc.oneof(
  fc.tuple(stream, request).map(([id, frame]) => ({
    sent: { stream: id.sent, frame: "request" as const, request: frame.sent },
    decoded: {
      stream: id.decoded,
      frame: "request" as const,
      request: frame.decoded,
    },
  })),
  stream.map((id) => ({
    sent: { stream: id.sent, frame: "cancel" as const, cancel: {} },
    decoded: { stream: id.decoded, frame: "cancel" as const, cancel: {} },
  })),
);

const sessionResponse: fc.Arbitrary<Sample<SessionResponseFrame>> = fc.oneof(
  fc.tuple(stream, response).map(([id, frame]) => ({
    sent: { stream: id.sent, frame: "response" as const, response: frame },
    decoded: {
      stream: id.decoded,
      frame: "response" as const,
      response: frame,
    },
  })),
  fc.tuple(stream, status).map(([id, status]) => ({
    sent: { stream: id.sent, frame: "status" as const, status },
    decoded: { stream: id.decoded, frame: "status" as const, status },
  })),
);

/**
 * The form to compare: `bytes` fields arrive as `Buffer` views, which
 * `deepStrictEqual` tells from `Uint8Array`s, so both become plain arrays.
 */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: [...value] };
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, plain(inner)]),
    );
  }
  return value;
}

Deno.test("Worker.Dispatch codec round-trips every Request frame, defaults filled in", () => {
  fc.assert(
    fc.property(request, ({ sent, decoded }) => {
      assert.deepStrictEqual(
        plain(dispatch.requestDeserialize(dispatch.requestSerialize(sent))),
        plain(decoded),
      );
    }),
  );
});

Deno.test("Worker.Dispatch codec round-trips every Response frame", () => {
  fc.assert(
    fc.property(response, (frame) => {
      const decoded = dispatch.responseDeserialize(
        dispatch.responseSerialize(frame),
      );
      assert.deepStrictEqual(plain(decoded), plain(frame));
    }),
  );
});

Deno.test("Worker.Session codec round-trips every batch of SessionRequest frames, stream ids exactly", () => {
  fc.assert(
    fc.property(
      fc.array(sessionRequest, { minLength: 1, maxLength: 4 }),
      (samples) => {
        const frames = samples.map((sample) => sample.sent);
        const decoded = session.requestDeserialize(
          session.requestSerialize({ frames }),
        );
        assert.deepStrictEqual(
          plain(decoded),
          plain({ frames: samples.map((sample) => sample.decoded) }),
        );
      },
    ),
  );
});

Deno.test("Worker.Session codec round-trips every batch of SessionResponse frames, stream ids exactly", () => {
  fc.assert(
    fc.property(
      fc.array(sessionResponse, { minLength: 1, maxLength: 4 }),
      (samples) => {
        const frames = samples.map((sample) => sample.sent);
        const decoded = session.responseDeserialize(
          session.responseSerialize({ frames }),
        );
        assert.deepStrictEqual(
          plain(decoded),
          plain({ frames: samples.map((sample) => sample.decoded) }),
        );
      },
    ),
  );
});
