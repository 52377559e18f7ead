import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import type {
  RequestFrame,
  ResponseFrame,
  SessionRequestFrame,
  SessionResponseFrame,
  StatusFrame,
  TaskFrame,
} from "../../src/wire/frames.ts";
import { loadWorkerService } from "../../src/wire/proto.ts";

const service = await loadWorkerService();

/** A method's codecs, as grpc-js calls them on each side. */
interface Codec<Req, Res> {
  requestSerialize(value: Req): Uint8Array;
  requestDeserialize(bytes: Uint8Array): Req;
  responseSerialize(value: Res): Uint8Array;
  responseDeserialize(bytes: Uint8Array): Res;
}

const dispatch = service.Dispatch as unknown as Codec<
  RequestFrame,
  ResponseFrame
>;
const session = service.Session as unknown as Codec<
  { frames: SessionRequestFrame[] },
  { frames: SessionResponseFrame[] }
>;

/** Valid Unicode text: protobuf strings are UTF-8. */
const text = fc.string({ unit: "grapheme", maxLength: 12 });
const bytes = fc.uint8Array({ maxLength: 24 });
const uint32 = fc.nat({ max: 0xffff_ffff });
const millis = fc.double({ min: 0, noNaN: true, noDefaultInfinity: true })
  .filter((ms) => !Object.is(ms, -0));

const task: fc.Arbitrary<TaskFrame> = fc.record({
  protocolVersion: uint32,
  id: text,
  module: text,
  export: text,
  args: bytes,
  tag: text,
  caller: text,
  timeoutMs: millis,
}, { requiredKeys: ["protocolVersion", "id", "module", "export", "args"] });

const request: fc.Arbitrary<RequestFrame> = fc.oneof(
  task.map((task) => ({ frame: "task" as const, task })),
  fc.constant({ frame: "next" as const, next: {} }),
  bytes.map((value) => ({ frame: "send" as const, send: { value } })),
  bytes.map((error) => ({ frame: "throw" as const, throw: { error } })),
  bytes.map((value) => ({ frame: "return" as const, return: { value } })),
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

/** Any uint64 stream id, as the exact decimal string the codec gives. */
const stream = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);

const status: fc.Arbitrary<StatusFrame> = fc.record({
  code: uint32,
  details: text,
  metadata: fc.dictionary(fc.stringMatching(/^[a-z0-9-]{1,12}$/), text, {
    maxKeys: 3,
  }),
});

const sessionRequest: fc.Arbitrary<SessionRequestFrame> = fc.oneof(
  fc.record({
    stream,
    frame: fc.constant("request" as const),
    request,
  }),
  fc.record({
    stream,
    frame: fc.constant("cancel" as const),
    cancel: fc.constant({}),
  }),
);

const sessionResponse: fc.Arbitrary<SessionResponseFrame> = fc.oneof(
  fc.record({
    stream,
    frame: fc.constant("response" as const),
    response,
  }),
  fc.record({ stream, frame: fc.constant("status" as const), status }),
);

/**
 * The form to compare: `bytes` fields arrive as `Buffer`s, which
 * `deepStrictEqual` tells from `Uint8Array`s, so both become plain arrays;
 * and proto3 sends nothing for an empty map, so an empty `metadata` is
 * left out (the session mux restores it).
 */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: [...value] };
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key, inner]) =>
          !(key === "metadata" && Object.keys(inner ?? {}).length === 0)
        )
        .map(([key, inner]) => [key, plain(inner)]),
    );
  }
  return value;
}

Deno.test("Worker.Dispatch codec round-trips every Request frame", () => {
  fc.assert(
    fc.property(request, (frame) => {
      const decoded = dispatch.requestDeserialize(
        dispatch.requestSerialize(frame),
      );
      assert.deepStrictEqual(plain(decoded), plain(frame));
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

Deno.test("Worker.Session codec round-trips every batch of SessionRequest frames", () => {
  fc.assert(
    fc.property(
      fc.array(sessionRequest, { minLength: 1, maxLength: 4 }),
      (frames) => {
        const decoded = session.requestDeserialize(
          session.requestSerialize({ frames }),
        );
        assert.deepStrictEqual(plain(decoded), plain({ frames }));
      },
    ),
  );
});

Deno.test("Worker.Session codec round-trips every batch of SessionResponse frames", () => {
  fc.assert(
    fc.property(
      fc.array(sessionResponse, { minLength: 1, maxLength: 4 }),
      (frames) => {
        const decoded = session.responseDeserialize(
          session.responseSerialize({ frames }),
        );
        assert.deepStrictEqual(plain(decoded), plain({ frames }));
      },
    ),
  );
});
