import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import protobuf from "npm:protobufjs@7.6.6";
import {
  isInt32,
  isInt64,
  isUint32,
  isUint64,
  PbWriter,
} from "../../../src/wire/pb_writer.ts";
import { PbReader } from "../../../src/wire/pb_reader.ts";

function written(write: (w: PbWriter) => void): number[] {
  const w = new PbWriter();
  write(w);
  return [...w.finish()];
}

function protobufjs(write: (w: protobuf.Writer) => protobuf.Writer): number[] {
  return [...write(protobuf.Writer.create()).finish()];
}

Deno.test("PbWriter writes varints and fixed-size values byte for byte as protobufjs does", () => {
  for (
    const v of [0, 1, 127, 128, 300, 16383, 16384, 2 ** 31 - 1, 2 ** 32 - 1]
  ) {
    assert.deepEqual(
      written((w) => w.uint32(v)),
      protobufjs((w) => w.uint32(v)),
      `uint32 ${v}`,
    );
    assert.deepEqual(
      written((w) => w.fixed32(v)),
      protobufjs((w) => w.fixed32(v)),
      `fixed32 ${v}`,
    );
  }
  for (const v of [0, -1, -(2 ** 31), 2 ** 31 - 1, -300]) {
    assert.deepEqual(
      written((w) => w.int32(v)),
      protobufjs((w) => w.int32(v)),
      `int32 ${v}`,
    );
    assert.deepEqual(
      written((w) => w.sint32(v)),
      protobufjs((w) => w.sint32(v)),
      `sint32 ${v}`,
    );
  }
  for (
    const v of [
      "0",
      "1",
      "4294967296",
      "9007199254740991",
      "18446744073709551615",
    ]
  ) {
    const n = BigInt(v);
    const expected = protobufjs((w) => w.uint64(v));
    assert.deepEqual(written((w) => w.uint64(n)), expected, `uint64 ${v}n`);
    if (n <= BigInt(Number.MAX_SAFE_INTEGER)) {
      assert.deepEqual(
        written((w) => w.uint64(Number(n))),
        expected,
        `uint64 ${v}`,
      );
    }
    assert.deepEqual(
      written((w) => w.fixed64(n)),
      protobufjs((w) => w.fixed64(v)),
      `fixed64 ${v}`,
    );
  }
  for (
    const v of ["-1", "-9223372036854775808", "9223372036854775807", "-300"]
  ) {
    assert.deepEqual(
      written((w) => w.int64(BigInt(v))),
      protobufjs((w) => w.int64(v)),
      `int64 ${v}`,
    );
    assert.deepEqual(
      written((w) => w.sint64(BigInt(v))),
      protobufjs((w) => w.sint64(v)),
      `sint64 ${v}`,
    );
  }
  for (const v of [0, -0, 1.5, NaN, Infinity, -1e-300]) {
    assert.deepEqual(
      written((w) => w.double(v)),
      protobufjs((w) => w.double(v)),
      `double ${v}`,
    );
    assert.deepEqual(
      written((w) => w.float(v)),
      protobufjs((w) => w.float(v)),
      `float ${v}`,
    );
  }
});

Deno.test("PbWriter.string() writes UTF-8 on both its ASCII and its general path", () => {
  const samples = [
    "",
    "a".repeat(64), // the longest the ASCII loop takes
    "a".repeat(65),
    "a".repeat(300), // a two-byte length
    "é",
    "a".repeat(63) + "€", // falls off the ASCII loop at its end
    "😀".repeat(50),
  ];
  for (const s of samples) {
    assert.deepEqual(
      written((w) => w.string(s)),
      protobufjs((w) => w.string(s)),
      s,
    );
  }
  // A lone surrogate is not UTF-8: it is written as U+FFFD, as TextEncoder does.
  const decoded = new PbReader(
    Uint8Array.from(written((w) => w.string("a\ud800"))),
    "t",
  )
    .string();
  assert.equal(decoded, "a\ufffd");
});

Deno.test("PbWriter.join() moves a body of 128 bytes or more to make room for its length", () => {
  for (const size of [0, 127, 128, 16383, 16384, 2 ** 21]) {
    const body = Uint8Array.from({ length: size }, (_, i) => i & 255);
    const w = new PbWriter();
    w.byte(0x0a);
    const at = w.fork();
    w.byte(0x12);
    w.bytes(body);
    w.join(at);
    w.byte(0x18);
    w.uint32(7);
    const expected = protobufjs((p) =>
      p.uint32(0x0a).fork().uint32(0x12).bytes(body).ldelim().uint32(0x18)
        .uint32(7)
    );
    assert.deepEqual([...w.finish()], expected, `body of ${size} bytes`);
  }
});

Deno.test("PbWriter.finish() returns a Buffer of its own and drops a scratch buffer grown past 1 MiB", () => {
  const w = new PbWriter();
  w.bytes(Uint8Array.of(1, 2));
  const first = w.finish();
  w.bytes(Uint8Array.of(3, 4));
  assert.ok(first instanceof Buffer);
  assert.deepEqual([...first], [2, 1, 2]);
  w.finish();
  w.bytes(new Uint8Array(3 * 2 ** 20));
  assert.equal(w.finish().length, 3 * 2 ** 20 + 4);
  assert.ok(w.buf.length <= 4096);
});

Deno.test("isInt32/isUint32/isInt64/isUint64 accept exactly the values of their ranges", () => {
  assert.deepEqual(
    [-(2 ** 31), 2 ** 31 - 1, 2 ** 31, 1.5, NaN, "1"].map(isInt32),
    [true, true, false, false, false, false],
  );
  assert.deepEqual(
    [0, 2 ** 32 - 1, 2 ** 32, -1, 0.5].map(isUint32),
    [true, true, false, false, false],
  );
  assert.deepEqual(
    [Number.MIN_SAFE_INTEGER, 2 ** 53, -(2n ** 63n), 2n ** 63n, 1.5].map(
      isInt64,
    ),
    [true, false, true, false, false],
  );
  assert.deepEqual(
    [0, Number.MAX_SAFE_INTEGER, 2 ** 53, -1, 2n ** 64n - 1n, 2n ** 64n, -1n]
      .map(isUint64),
    [true, true, false, false, true, false, false],
  );
});
