import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import * as woolPb from "../../src/wire/wool_pb.ts";
import { WireDecodeError } from "../../src/wire/wire_codec_error.ts";
import { WireOracle } from "../_helpers/wire_oracle.ts";
import {
  codecOf,
  FEATURES_PROTO,
  type GeneratedCodecs,
  importGenerated,
} from "../_helpers/generated_wire.ts";

/**
 * Decodes, and fails the property unless it returned or threw a
 * WireDecodeError the decoder raised itself (one with a cause is a crash
 * that `decodeMessage` wrapped).
 */
function decodesOrRefuses(
  decode: (bytes: Uint8Array) => unknown,
  bytes: Uint8Array,
): void {
  try {
    decode(bytes);
  } catch (error) {
    assert.ok(
      error instanceof WireDecodeError,
      `threw ${error instanceof Error ? error.name : typeof error}: ${error}`,
    );
    assert.equal(error.cause, undefined, `a wrapped crash: ${error.cause}`);
  }
}

/** A valid encoding with some bytes changed, inserted, or cut off. */
function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.tuple(
    valid,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      maxLength: 4,
    }),
    fc.nat(),
    fc.boolean(),
  ).map(([bytes, changes, cut, truncate]) => {
    const out = Uint8Array.from(bytes);
    for (const [at, value] of changes) {
      if (out.length > 0) out[at % out.length] = value;
    }
    return truncate && out.length > 0 ? out.subarray(0, cut % out.length) : out;
  });
}

async function fuzz(
  t: Deno.TestContext,
  oracle: WireOracle,
  module: GeneratedCodecs,
): Promise<void> {
  for (const fullName of oracle.messages) {
    await t.step(fullName, () => {
      const { encode, decode } = codecOf(module, oracle.tsName(fullName));
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
          decodesOrRefuses(decode, bytes);
        }),
        { numRuns: 300 },
      );
      const valid = oracle.arbitrary(fullName, 2).map((m) => encode(m));
      fc.assert(
        fc.property(mutated(valid), (bytes) => {
          decodesOrRefuses(decode, bytes);
        }),
        { numRuns: 200 },
      );
    });
  }
}

Deno.test("wool_pb decoders throw nothing but WireDecodeError on garbage", async (t) => {
  await fuzz(
    t,
    new WireOracle(woolPb.PROTO_SOURCE),
    woolPb as unknown as GeneratedCodecs,
  );
});

Deno.test("Decoders generated from the features fixture throw nothing but WireDecodeError on garbage", async (t) => {
  await fuzz(
    t,
    new WireOracle(FEATURES_PROTO),
    await importGenerated(FEATURES_PROTO),
  );
});

Deno.test("A decoder refuses nesting past MAX_DEPTH with a WireDecodeError", async () => {
  const features = await importGenerated(FEATURES_PROTO);
  const { decode } = codecOf(features, "OuterInner");
  // Inner { children: [Inner { children: [ … ] }] }, 200 deep.
  let bytes = new Uint8Array(0);
  for (let i = 0; i < 200; i++) {
    bytes = Uint8Array.of(
      0x12,
      ...varint(bytes.length),
      ...bytes,
    );
  }
  assert.throws(() => decode(bytes), (error: unknown) => {
    assert.ok(error instanceof WireDecodeError);
    assert.match(error.message, /nesting deeper than 64/);
    return true;
  });
});

function varint(n: number): number[] {
  const out = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
