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
const reader = Deno.stdin.readable.getReader();

let text = "";
while (!text.includes("\n")) {
  const { done, value } = await reader.read();
  if (done) break;
  text += decoder.decode(value, { stream: true });
}
const newline = text.indexOf("\n");
const config = JSON.parse(text.slice(0, newline));
if (wrongFor.includes(config.id)) config.token = `not-${config.token}`;
const rest = text.slice(newline + 1);

await runWorker(
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${JSON.stringify(config)}\n${rest}`));
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
  }),
);
