/**
 * `deno task gen`: generates `src/wire/wool_pb.ts` from `proto/wool.proto`
 * (see `wire_codegen/generate.ts`), formatted as `deno fmt` leaves it.
 *
 *     deno task gen            # writes src/wire/wool_pb.ts
 *     deno task gen --check    # exits 1 when the file is not up to date
 *
 * A dev-only tool: it loads protobufjs to parse the .proto; the module it
 * writes needs neither protobufjs nor @grpc/proto-loader.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { generateWireModule } from "./wire_codegen/generate.ts";

/** The .proto file, relative to the repository root. */
export const PROTO_PATH = "proto/wool.proto";
/** The generated module, relative to the repository root. */
export const OUTPUT_PATH = "src/wire/wool_pb.ts";

const ROOT = new URL("../", import.meta.url);

/**
 * The generated module for `source` (the text of {@linkcode PROTO_PATH}),
 * formatted with `deno fmt`.
 */
export async function renderWireModule(source: string): Promise<string> {
  return await formatTypeScript(generateWireModule({
    source,
    sourcePath: PROTO_PATH,
    runtimeDir: ".",
  }));
}

/** Formats TypeScript source as `deno fmt` would a file in this project. */
export async function formatTypeScript(source: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=ts", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(source));
  await writer.close();
  const output = await child.output();
  if (!output.success) {
    throw new Error(
      `deno fmt failed on the generated module: ${
        new TextDecoder().decode(output.stderr)
      }`,
    );
  }
  return new TextDecoder().decode(output.stdout);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { check: { type: "boolean", default: false } },
  });
  const source = await Deno.readTextFile(new URL(PROTO_PATH, ROOT));
  const generated = await renderWireModule(source);
  const output = new URL(OUTPUT_PATH, ROOT);
  if (values.check) {
    const current = await Deno.readTextFile(output).catch(() => "");
    if (current !== generated) {
      console.error(
        `${OUTPUT_PATH} is not what ${PROTO_PATH} generates: run \`deno task gen\``,
      );
      Deno.exit(1);
    }
    console.log(`${OUTPUT_PATH} is up to date`);
  } else {
    await Deno.writeTextFile(output, generated);
    console.log(`Wrote ${OUTPUT_PATH}`);
  }
}
