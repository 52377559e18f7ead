/**
 * A task module whose import blocks until the test's gate releases it: its
 * URL carries the gate's port (`gated_import.ts?port=N`), so every port is
 * a new module. While it loads, the test sends more frames for the task.
 *
 * @module
 */
const port = Number(new URL(import.meta.url).searchParams.get("port"));
const conn = await Deno.connect({ hostname: "127.0.0.1", port });
try {
  await conn.read(new Uint8Array(1));
} finally {
  conn.close();
}

/** Appends `line` to the file at `path`, and returns it. */
export async function record(path: string, line: string): Promise<string> {
  await Deno.writeTextFile(path, `${line}\n`, { append: true });
  return line;
}
