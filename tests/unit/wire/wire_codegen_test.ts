import assert from "node:assert/strict";
import protobuf from "npm:protobufjs@7.6.6";
import { generateWireModule } from "../../../tools/wire_codegen/generate.ts";
import {
  codecOf,
  FEATURES_PROTO,
  importGenerated,
} from "../../_helpers/generated_wire.ts";

const features = await importGenerated(FEATURES_PROTO);
const outer = codecOf(features, "Outer");
const choice = codecOf(features, "Choice");

Deno.test("Generated decoders take repeated numbers packed or not, whatever the field says", () => {
  const packedForUnpacked = protobuf.Writer.create()
    .uint32((7 << 3) | 2).fork().int32(1).int32(-2).ldelim().finish();
  const unpackedForPacked = protobuf.Writer.create()
    .uint32((2 << 3) | 0).int32(3).uint32((2 << 3) | 0).int32(4).finish();
  const a = outer.decode(packedForUnpacked) as { unpackedInts: number[] };
  const b = outer.decode(unpackedForPacked) as { packedInts: number[] };
  assert.deepEqual(a.unpackedInts, [1, -2]);
  assert.deepEqual(b.packedInts, [3, 4]);
});

Deno.test("Generated encoders write a oneof member at its default, and an empty message field", () => {
  const decoded = choice.decode(
    choice.encode({ kind: "number", number: 0, extra: "details", details: {} }),
  ) as Record<string, unknown>;
  assert.equal(decoded.kind, "number");
  assert.equal(decoded.number, 0);
  assert.equal(decoded.extra, "details");
  assert.equal(typeof decoded.details, "object");
  const withInner = outer.decode(outer.encode({ inner: {} })) as {
    inner?: unknown;
  };
  assert.deepEqual(withInner.inner, { name: "", children: [] });
  const without = outer.decode(outer.encode({})) as { inner?: unknown };
  assert.equal(without.inner, undefined);
});

Deno.test("Generated encoders write the first member present when a oneof has no discriminant", () => {
  const decoded = choice.decode(choice.encode({ text: "hi" })) as Record<
    string,
    unknown
  >;
  assert.equal(decoded.kind, "text");
  assert.equal(decoded.text, "hi");
  assert.equal(decoded.extra, undefined);
});

Deno.test("generateWireModule() refuses what it does not support, naming it", () => {
  const cases: [string, RegExp][] = [
    ['syntax = "proto2"; message A { optional int32 x = 1; }', /Only proto3/],
    [
      'syntax = "proto3"; message A { map<int32, string> m = 1; }',
      /A\.m: map keys of type int32 are not supported yet/,
    ],
    [
      'syntax = "proto3"; message A { string decode_message = 1; }',
      /A\.decodeMessage: the field name clashes/,
    ],
    [
      'syntax = "proto3"; message A { message B {} } message AB {}',
      /would both be named AB/,
    ],
  ];
  for (const [source, message] of cases) {
    assert.throws(
      () =>
        generateWireModule({ source, sourcePath: "x.proto", runtimeDir: "." }),
      message,
    );
  }
});
