/**
 * A worker command for a pool (`worker: { command, args }`) that runs the
 * real worker, but, for the worker ids listed in `WOOL_WRONG_SECRET_FOR`
 * (comma-separated), with a secret of its own in place of its pool's: a
 * worker that does not serve the pool that started it, as a
 * misconfiguration would make one.
 *
 * @module
 */
import { runWorker } from "../../../src/worker/run_worker.ts";

const wrongFor = (Deno.env.get("WOOL_WRONG_SECRET_FOR") ?? "").split(",");
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const buffer = new Uint8Array(16 * 1024);

let text = "";
while (!text.includes("\n")) {
  const read = await Deno.stdin.read(buffer);
  if (read === null) break;
  text += decoder.decode(buffer.subarray(0, read), { stream: true });
}
const newline = text.indexOf("\n");
const config = JSON.parse(text.slice(0, newline));
if (wrongFor.includes(config.id)) config.token = `not-${config.token}`;

// The worker reads the edited config line first, then the rest of stdin.
let first: Uint8Array | undefined = encoder.encode(
  `${JSON.stringify(config)}\n${text.slice(newline + 1)}`,
);
await runWorker({
  read(into: Uint8Array): Promise<number | null> {
    if (first === undefined) return Deno.stdin.read(into);
    const count = Math.min(into.length, first.length);
    into.set(first.subarray(0, count));
    first = count < first.length ? first.subarray(count) : undefined;
    return Promise.resolve(count);
  },
});
