import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import protobuf from "npm:protobufjs@7.6.6";
import {
  decodeSessionRequest,
  decodeStatus,
  decodeTask,
  encodeRequest,
  encodeSessionRequest,
  encodeStatus,
  encodeTask,
  PROTO_SOURCE,
  WORKER_SERVICE,
} from "../../../src/wire/wool_pb.ts";
import {
  WireDecodeError,
  WireEncodeError,
} from "../../../src/wire/wire_codec_error.ts";
import { loadProtoLoaderService } from "../../../tools/wire_codegen/proto_loader_service.ts";
import {
  OUTPUT_PATH,
  PROTO_PATH,
  renderWireModule,
} from "../../../tools/gen_wire.ts";

const ROOT = new URL("../../../", import.meta.url);
const root = protobuf.parse(PROTO_SOURCE, { keepCase: false }).root;

Deno.test("src/wire/wool_pb.ts is what tools/gen_wire.ts generates from proto/wool.proto", async () => {
  const source = await Deno.readTextFile(new URL(PROTO_PATH, ROOT));
  assert.equal(PROTO_SOURCE, source);
  const generated = await renderWireModule(source);
  const current = await Deno.readTextFile(new URL(OUTPUT_PATH, ROOT));
  assert.ok(
    current === generated,
    `${OUTPUT_PATH} is out of date: run \`deno task gen\``,
  );
});

Deno.test("decodeSessionRequest() keeps streams above 2^53 apart: a number when safe, a bigint beyond", () => {
  const streams = [2 ** 53 - 1, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n];
  const decoded = streams.map((stream) =>
    decodeSessionRequest(encodeSessionRequest({ stream })).stream
  );
  assert.deepEqual(decoded, [
    2 ** 53 - 1,
    2n ** 53n,
    2n ** 53n + 1n,
    2n ** 64n - 1n,
  ]);
  assert.equal(typeof decoded[0], "number");
  assert.equal(new Set(decoded).size, streams.length);
});

Deno.test("decodeTask() skips unknown fields of every wire type, and a known field on another wire type", () => {
  const known = encodeTask({
    protocolVersion: 1,
    id: "t1",
    module: "m",
    export: "f",
  });
  const unknown = protobuf.Writer.create()
    .uint32((20 << 3) | 0).uint64(2 ** 40) // varint
    .uint32((21 << 3) | 1).fixed64(7) // 64-bit
    .uint32((22 << 3) | 2).bytes(Uint8Array.of(1, 2, 3)) // length-delimited
    .uint32((23 << 3) | 5).fixed32(9) // 32-bit
    .uint32((24 << 3) | 3).uint32((1 << 3) | 0).uint32(5).uint32((24 << 3) | 4) // group
    .uint32((2 << 3) | 0).uint32(99) // `id` (a string) as a varint
    .finish();
  const decoded = decodeTask(Buffer.concat([known, unknown]));
  assert.deepEqual(decoded, decodeTask(known));
});

Deno.test("decodeStatus() keeps a metadata key __proto__ as an own entry, not a prototype", () => {
  const metadata = JSON.parse('{"__proto__": "x", "wool-reason": "busy"}');
  const decoded = decodeStatus(encodeStatus({ code: 8, metadata })).metadata;
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
  assert.deepEqual(Object.entries(decoded), [["__proto__", "x"], [
    "wool-reason",
    "busy",
  ]]);
});

Deno.test("Encoders throw WireEncodeError naming the field that holds a wrong value", () => {
  const cases: [() => unknown, string][] = [
    [() => encodeTask({ id: 5 as unknown as string }), "wool.v1.Task.id"],
    [() => encodeTask({ protocolVersion: -1 }), "wool.v1.Task.protocolVersion"],
    [
      () => encodeTask({ args: [1] as unknown as Uint8Array }),
      "wool.v1.Task.args",
    ],
    [
      () => encodeSessionRequest({ stream: -1 }),
      "wool.v1.SessionRequest.stream",
    ],
    [
      () => encodeSessionRequest({ stream: 2 ** 53 }),
      "wool.v1.SessionRequest.stream",
    ],
    [
      () => encodeSessionRequest({ stream: 2n ** 64n }),
      "wool.v1.SessionRequest.stream",
    ],
    [
      () => encodeRequest({ frame: "nope" } as unknown as { frame: "next" }),
      "wool.v1.Request.frame",
    ],
    [
      () => encodeStatus({ metadata: { k: 1 as unknown as string } }),
      "wool.v1.Status.metadata",
    ],
  ];
  for (const [encode, field] of cases) {
    assert.throws(encode, (error: unknown) => {
      assert.ok(error instanceof WireEncodeError);
      assert.equal(error.field, field);
      assert.ok(error.message.startsWith(`Cannot encode ${field}: expected `));
      return true;
    });
  }
});

Deno.test("decodeTask() decodes strings as Buffer#toString and protobufjs do: U+FFFD for bad UTF-8, a BOM kept", () => {
  const Task = root.lookupType("wool.v1.Task");
  const samples = [
    [0xef, 0xbb, 0xbf, 0x61], // BOM, then "a"
    [0xed, 0xa0, 0x80], // a surrogate, as WTF-8
    [0xc3], // truncated
    [0xff, 0x41, 0xe2, 0x82], // invalid byte, then a truncated sequence
    [0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80], // "€😀"
  ];
  for (const sample of samples) {
    const bytes = protobuf.Writer.create().uint32(18).bytes(
      Uint8Array.from(sample),
    ).finish();
    const expected = Buffer.from(sample).toString("utf8");
    assert.equal(decodeTask(bytes).id, expected);
    assert.equal(
      (Task.decode(bytes) as unknown as { id: string }).id,
      expected,
    );
  }
});

Deno.test("decodeTask() returns bytes as a view into the input, not a copy", () => {
  const bytes = encodeTask({ args: Uint8Array.of(1, 2, 3) });
  const args = decodeTask(bytes).args;
  assert.equal(args.buffer, bytes.buffer);
  assert.deepEqual([...args], [1, 2, 3]);
});

Deno.test("Decoders refuse malformed input with a WireDecodeError saying where", () => {
  const cases: [number[], RegExp][] = [
    [[0x08], /truncated varint at byte 1/],
    [
      [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
      /varint longer than 10 bytes/,
    ],
    [[0x12, 0x05, 0x61], /length 5 past the end/],
    [[0x00], /field number 0/],
    [[0x0e], /wire type 6/],
    [[0x41, 0x00, 0x00], /truncated fixed-size field/],
    [[0x1b, 0x08, 0x01], /unterminated group/],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(
      () => decodeTask(Uint8Array.from(bytes)),
      (error: unknown) => {
        assert.ok(error instanceof WireDecodeError, String(error));
        assert.equal(error.messageType, "wool.v1.Task");
        assert.match(error.message, message);
        return true;
      },
    );
  }
  assert.throws(
    () => decodeTask("not bytes" as unknown as Uint8Array),
    WireDecodeError,
  );
});

Deno.test("WORKER_SERVICE has the paths, streaming and method names of proto-loader's definition", async () => {
  const loaded = await loadProtoLoaderService();
  const shape = (service: typeof loaded) =>
    Object.fromEntries(
      Object.entries(service).map(([name, m]) => [name, {
        path: m.path,
        requestStream: m.requestStream,
        responseStream: m.responseStream,
        originalName: m.originalName,
      }]),
    );
  assert.deepEqual(shape(WORKER_SERVICE), shape(loaded));
});
