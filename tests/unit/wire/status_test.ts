import assert from "node:assert/strict";
import { grpc } from "../../../src/wire/grpc.ts";
import type { ResponseFrame } from "../../../src/wire/frames.ts";
import { MessageTooLarge } from "../../../src/wire/message_too_large.ts";
import { ProtocolError } from "../../../src/wire/protocol_error.ts";
import {
  AUTHORIZATION_METADATA_KEY,
  cameOverTheWire,
  CANCELLED_STATUS,
  classifyStatus,
  decodeRejection,
  DELIVERY_UNKNOWN_METADATA_KEY,
  encodeRejection,
  fromGrpcStatus,
  isDeliveryUnknown,
  isTerminal,
  kindOfAck,
  markDeliveryUnknown,
  ORIGIN_METADATA_KEY,
  REASON_METADATA_KEY,
  REJECTED_BY_BACKPRESSURE,
  REJECTED_METADATA_KEY,
  type Rejection,
  REJECTION_CAUSE_METADATA_KEY,
  REJECTION_CAUSES,
  Status,
  statusFrame,
  statusName,
  toGrpcStatus,
  TRANSIENT_STATUS_CODES,
  transportLimitError,
  UNAUTHENTICATED_STATUS,
} from "../../../src/wire/status.ts";

const ALL_CODES = Object.entries(grpc.status).filter((
  entry,
): entry is [string, number] => typeof entry[1] === "number");

Deno.test("classifyStatus() keeps the worker for UNAVAILABLE, DEADLINE_EXCEEDED and RESOURCE_EXHAUSTED only", () => {
  const transient = ALL_CODES
    .filter(([, code]) => classifyStatus(code) === "transient")
    .map(([name]) => name)
    .sort();
  assert.deepStrictEqual(transient, [
    "DEADLINE_EXCEEDED",
    "RESOURCE_EXHAUSTED",
    "UNAVAILABLE",
  ]);
  assert.deepStrictEqual(
    [...TRANSIENT_STATUS_CODES].map(statusName).sort(),
    transient,
  );
});

Deno.test("classifyStatus() removes a worker that answers UNAUTHENTICATED as refusing the pool's credentials", () => {
  assert.equal(classifyStatus(Status.UNAUTHENTICATED), "unauthenticated");
  assert.equal(statusName(UNAUTHENTICATED_STATUS.code), "UNAUTHENTICATED");
  assert.equal(UNAUTHENTICATED_STATUS.details, "Unauthenticated");
  assert.deepEqual(UNAUTHENTICATED_STATUS.metadata, {});
});

Deno.test("classifyStatus() evicts for every other code, known or not", () => {
  for (const [name, code] of ALL_CODES) {
    if (TRANSIENT_STATUS_CODES.has(code)) continue;
    if (code === Status.UNAUTHENTICATED) continue;
    assert.equal(classifyStatus(code), "evict", name);
  }
  assert.equal(classifyStatus(99), "evict");
  assert.equal(classifyStatus(-1), "evict");
});

Deno.test("statusName() names every gRPC status code as grpc-js does", () => {
  for (const [name, code] of ALL_CODES) assert.equal(statusName(code), name);
  assert.equal(statusName(8), "RESOURCE_EXHAUSTED");
});

Deno.test("statusName() names a code it does not know by its number", () => {
  assert.equal(statusName(42), "UNKNOWN_STATUS_42");
});

Deno.test("Status holds, under its gRPC name, each code the runtime sends or reads", () => {
  assert.deepStrictEqual(
    Object.fromEntries(
      Object.entries(Status).map(([name, code]) => [name, statusName(code)]),
    ),
    {
      OK: "OK",
      CANCELLED: "CANCELLED",
      INVALID_ARGUMENT: "INVALID_ARGUMENT",
      DEADLINE_EXCEEDED: "DEADLINE_EXCEEDED",
      RESOURCE_EXHAUSTED: "RESOURCE_EXHAUSTED",
      FAILED_PRECONDITION: "FAILED_PRECONDITION",
      UNIMPLEMENTED: "UNIMPLEMENTED",
      INTERNAL: "INTERNAL",
      UNAVAILABLE: "UNAVAILABLE",
      UNAUTHENTICATED: "UNAUTHENTICATED",
    },
  );
});

Deno.test("metadata keys are the wire names workers and callers agree on", () => {
  assert.deepStrictEqual(
    [
      REJECTED_METADATA_KEY,
      REJECTED_BY_BACKPRESSURE,
      REJECTION_CAUSE_METADATA_KEY,
      REASON_METADATA_KEY,
      ORIGIN_METADATA_KEY,
      DELIVERY_UNKNOWN_METADATA_KEY,
      AUTHORIZATION_METADATA_KEY,
    ],
    [
      "wool-rejected",
      "backpressure",
      "wool-rejected-cause",
      "wool-reason",
      "wool-origin",
      "wool-delivery-unknown",
      "authorization",
    ],
  );
});

Deno.test("CANCELLED_STATUS is gRPC CANCELLED with no metadata", () => {
  assert.equal(statusName(CANCELLED_STATUS.code), "CANCELLED");
  assert.deepStrictEqual(CANCELLED_STATUS.metadata, {});
});

Deno.test("encodeRejection() marks a hook's rejection RESOURCE_EXHAUSTED wool-rejected, with its cause and reason", () => {
  assert.deepStrictEqual(
    encodeRejection({ cause: "hook", reason: "busy", message: "no room" }),
    {
      code: Status.RESOURCE_EXHAUSTED,
      details: "no room",
      metadata: {
        "wool-rejected": "backpressure",
        "wool-rejected-cause": "hook",
        "wool-reason": "busy",
      },
    },
  );
});

Deno.test("encodeRejection() sends a stopping worker's rejection as UNAVAILABLE, not marked as a hook's", () => {
  assert.deepStrictEqual(
    encodeRejection({ cause: "stopping", message: "stopping" }),
    {
      code: Status.UNAVAILABLE,
      details: "stopping",
      metadata: { "wool-rejected-cause": "stopping" },
    },
  );
});

Deno.test("decodeRejection() reads back every rejection encodeRejection() sends, and the status is transient", () => {
  for (const cause of REJECTION_CAUSES) {
    for (const reason of [undefined, "a reason"]) {
      const rejection: Rejection = {
        cause,
        ...(reason === undefined ? {} : { reason }),
        message: `rejected: ${cause}`,
      };
      const status = encodeRejection(rejection);
      assert.deepStrictEqual(decodeRejection(status), rejection, cause);
      assert.equal(classifyStatus(status.code), "transient", cause);
      assert.equal(transportLimitError(status), undefined, cause);
    }
  }
});

Deno.test("decodeRejection() reads an unknown cause as a hook's, and words the message from the reason when there are no details", () => {
  assert.deepStrictEqual(
    decodeRejection({
      code: Status.RESOURCE_EXHAUSTED,
      details: "",
      metadata: {
        [REJECTED_METADATA_KEY]: REJECTED_BY_BACKPRESSURE,
        [REJECTION_CAUSE_METADATA_KEY]: "overloaded",
        [REASON_METADATA_KEY]: "tenant over quota",
      },
    }),
    {
      cause: "hook",
      reason: "tenant over quota",
      message: "Rejected by backpressure hook: tenant over quota",
    },
  );
});

Deno.test("decodeRejection() finds no rejection in grpc's own RESOURCE_EXHAUSTED, or in a status without the keys", () => {
  assert.equal(
    decodeRejection({
      code: Status.RESOURCE_EXHAUSTED,
      details: "Received message larger than max (10 vs. 5)",
      metadata: { [REJECTION_CAUSE_METADATA_KEY]: "hook" },
    }),
    undefined,
  );
  assert.equal(
    decodeRejection(statusFrame(Status.UNAVAILABLE, "down")),
    undefined,
  );
});

Deno.test("transportLimitError() turns grpc's message size refusal into MessageTooLarge with its sizes", () => {
  const error = transportLimitError(
    statusFrame(
      Status.RESOURCE_EXHAUSTED,
      "Received message larger than max (2048 vs. 1024)",
    ),
  );
  assert.ok(error instanceof MessageTooLarge);
  assert.equal(error.size, 2048);
  assert.equal(error.limit, 1024);
  assert.match(String((error.cause as Error).message), /larger than max/);
});

Deno.test("transportLimitError() names a RESOURCE_EXHAUSTED that is neither a hook's nor sized, and ignores other statuses", () => {
  const error = transportLimitError(
    statusFrame(Status.RESOURCE_EXHAUSTED, "out of memory"),
  );
  assert.ok(error instanceof ProtocolError, `got ${error}`);
  assert.match(error.message, /not a backpressure rejection\): out of memory/);
  assert.equal(
    transportLimitError(statusFrame(Status.UNAVAILABLE, "(1 vs. 2)")),
    undefined,
  );
});

Deno.test("markDeliveryUnknown() marks a copy of the status, which isDeliveryUnknown() reads", () => {
  const status = statusFrame(Status.UNAVAILABLE, "broke");
  const marked = markDeliveryUnknown(status);
  assert.equal(isDeliveryUnknown(status), false);
  assert.equal(isDeliveryUnknown(marked), true);
  assert.deepStrictEqual(status.metadata, {});
  assert.equal(marked.details, "broke");
});

Deno.test("toGrpcStatus() marks a worker's status with its origin and carries any text in its metadata", () => {
  const sent = toGrpcStatus({
    code: Status.RESOURCE_EXHAUSTED,
    details: "no",
    metadata: { [REASON_METADATA_KEY]: "naïve\nreason" },
  });
  assert.equal(sent.code, Status.RESOURCE_EXHAUSTED);
  assert.deepStrictEqual(sent.metadata?.get(ORIGIN_METADATA_KEY), ["worker"]);
  const received = fromGrpcStatus(sent as grpc.StatusObject, true);
  assert.deepStrictEqual(received, {
    code: Status.RESOURCE_EXHAUSTED,
    details: "no",
    metadata: {
      [ORIGIN_METADATA_KEY]: "worker",
      [REASON_METADATA_KEY]: "naïve\nreason",
    },
  });
  assert.equal(isDeliveryUnknown(received), false);
});

Deno.test("fromGrpcStatus() marks delivery unknown only for a failure with no metadata on a task that was sent", () => {
  const status = (code: number, metadata: grpc.Metadata) =>
    ({ code, details: "", metadata }) as grpc.StatusObject;
  const withType = new grpc.Metadata();
  withType.set("content-type", "application/grpc+proto");
  const cases: [string, grpc.StatusObject, boolean, boolean][] = [
    [
      "made up, sent",
      status(Status.UNAVAILABLE, new grpc.Metadata()),
      true,
      true,
    ],
    [
      "made up, not sent",
      status(Status.UNAVAILABLE, new grpc.Metadata()),
      false,
      false,
    ],
    ["OK", status(Status.OK, new grpc.Metadata()), true, false],
    ["from a server", status(Status.RESOURCE_EXHAUSTED, withType), true, false],
  ];
  for (const [name, grpcStatus, sent, unknown] of cases) {
    assert.equal(
      isDeliveryUnknown(fromGrpcStatus(grpcStatus, sent)),
      unknown,
      name,
    );
  }
  assert.equal(cameOverTheWire({}), false);
  assert.equal(cameOverTheWire({ [ORIGIN_METADATA_KEY]: "worker" }), true);
});

Deno.test("isTerminal() ends a task at a Nack, an Exception, a Done, or a coroutine's Result", () => {
  const bytes = new Uint8Array();
  const frames: ResponseFrame[] = [
    { frame: "ack", ack: { generator: true } },
    { frame: "nack", nack: { error: bytes } },
    { frame: "result", result: { value: bytes } },
    { frame: "exception", exception: { error: bytes } },
    { frame: "done", done: { value: bytes } },
  ];
  const terminal = (kind: "coroutine" | "generator") =>
    frames.filter((frame) => isTerminal(frame, kind)).map((f) => f.frame);
  assert.deepStrictEqual(terminal("coroutine"), [
    "nack",
    "result",
    "exception",
    "done",
  ]);
  assert.deepStrictEqual(terminal("generator"), ["nack", "exception", "done"]);
  assert.equal(kindOfAck({ generator: true }), "generator");
  assert.equal(kindOfAck({}), "coroutine");
});
