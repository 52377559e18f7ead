/**
 * A worker exits when its stdin closes, so no worker outlives its pool's
 * process, even one killed with SIGKILL before it could close the pool.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { isAlive, waitForExit } from "../_helpers/processes.ts";

const SCRIPT = fileURLToPath(
  import.meta.resolve("../_fixtures/scripts/hold_pool.ts"),
);

/** Reads the first line of `stream`, then keeps reading it to the end. */
async function firstLine(
  stream: ReadableStream<Uint8Array>,
): Promise<{ line: string; rest: Promise<void> }> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the script ended before a line: ${text}`);
    text += value;
  }
  const rest = (async () => {
    while (!(await reader.read()).done) {
      // Drained so the pipe is read to its end.
    }
  })();
  return { line: text.slice(0, text.indexOf("\n")), rest };
}

Deno.test("WorkerPool workers exit when their stdin closes: SIGKILL of the pool's process ends every worker", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let pids: number[] = [];
  let rest: Promise<void> | undefined;
  let status: Deno.CommandStatus;
  try {
    const read = await firstLine(child.stdout);
    rest = read.rest;
    pids = JSON.parse(read.line);
    assert.equal(pids.length, 2);
    for (const pid of pids) {
      assert.ok(isAlive(pid), `worker ${pid} not running`);
    }
  } finally {
    // The pool's process dies without closing its pool.
    child.kill("SIGKILL");
    status = await child.status;
    await (rest ?? child.stdout.cancel());
  }
  assert.equal(status.signal, "SIGKILL");
  await Promise.all(pids.map((pid) => waitForExit(pid, 30_000)));
  for (const pid of pids) assert.ok(!isAlive(pid), `worker ${pid} survived`);
});
