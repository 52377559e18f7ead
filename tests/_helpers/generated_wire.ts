/**
 * Generated wire modules for tests: the real one (`src/wire/wool_pb.ts`)
 * and one generated on the fly from another `.proto` (the features
 * fixture), each seen as a table of `encode…`/`decode…` functions.
 */
import { generateWireModule } from "../../tools/wire_codegen/generate.ts";

/** A generated module's codecs, by the name part of their functions. */
export type GeneratedCodecs = Record<
  string,
  ((value: never) => Uint8Array) | ((bytes: Uint8Array) => unknown) | unknown
>;

/** The `encode…` and `decode…` of `name` in a generated module. */
export function codecOf(
  module: GeneratedCodecs,
  name: string,
): {
  encode: (value: unknown) => Uint8Array;
  decode: (bytes: Uint8Array) => unknown;
} {
  const encode = module[`encode${name}`];
  const decode = module[`decode${name}`];
  if (typeof encode !== "function" || typeof decode !== "function") {
    throw new Error(`The generated module has no codec of ${name}`);
  }
  return {
    encode: encode as (value: unknown) => Uint8Array,
    decode: decode as (bytes: Uint8Array) => unknown,
  };
}

/** The features fixture's `.proto` text. */
export const FEATURES_PROTO: string = await Deno.readTextFile(
  new URL("../_fixtures/wire/features.proto", import.meta.url),
);

/**
 * Generates the wire module of `source` into a temporary file, imports it,
 * and removes the file.
 */
export async function importGenerated(
  source: string,
): Promise<GeneratedCodecs> {
  const dir = await Deno.makeTempDir({ prefix: "wool-wire-" });
  try {
    const file = `${dir}/generated_pb.ts`;
    await Deno.writeTextFile(
      file,
      generateWireModule({
        source,
        sourcePath: "features.proto",
        runtimeDir: new URL("../../src/wire", import.meta.url).href,
      }),
    );
    return await import(`file://${file}`) as GeneratedCodecs;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
