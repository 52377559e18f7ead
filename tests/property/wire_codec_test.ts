import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import * as woolPb from "../../src/wire/wool_pb.ts";
import { WireOracle } from "../_helpers/wire_oracle.ts";
import {
  codecOf,
  FEATURES_PROTO,
  type GeneratedCodecs,
  importGenerated,
} from "../_helpers/generated_wire.ts";

/**
 * For random messages of every type: our encoding decodes, with protobufjs
 * and with our decoder, to the message we encoded; and protobufjs's
 * encoding of the same message decodes, with ours, to it too.
 */
async function checkAgainstProtobufjs(
  t: Deno.TestContext,
  oracle: WireOracle,
  module: GeneratedCodecs,
  numRuns: number,
): Promise<void> {
  for (const fullName of oracle.messages) {
    await t.step(fullName, () => {
      const { encode, decode } = codecOf(module, oracle.tsName(fullName));
      fc.assert(
        fc.property(oracle.arbitrary(fullName), (input) => {
          const expected = oracle.canonical(fullName, input);
          const ours = encode(input);
          assert.deepStrictEqual(oracle.decode(fullName, ours), expected);
          assert.deepStrictEqual(
            oracle.canonical(fullName, decode(ours)),
            expected,
          );
          const theirs = oracle.encode(fullName, input);
          assert.deepStrictEqual(
            oracle.canonical(fullName, decode(theirs)),
            expected,
          );
        }),
        { numRuns },
      );
    });
  }
}

Deno.test("wool_pb codecs agree with protobufjs on every message of proto/wool.proto", async (t) => {
  await checkAgainstProtobufjs(
    t,
    new WireOracle(woolPb.PROTO_SOURCE),
    woolPb as unknown as GeneratedCodecs,
    150,
  );
});

Deno.test("A module generated from the features fixture agrees with protobufjs on every message", async (t) => {
  await checkAgainstProtobufjs(
    t,
    new WireOracle(FEATURES_PROTO),
    await importGenerated(FEATURES_PROTO),
    80,
  );
});
