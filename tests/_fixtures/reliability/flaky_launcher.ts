/**
 * A worker command whose first launches work and later ones die at
 * start-up, for the respawn backoff test: run it as
 * `deno run -A flaky_launcher.ts` with the environment
 *
 * - `WOOL_LAUNCH_DIR`: a directory; each launch claims the next free
 *   `launch-<n>` file there (n = 1, 2, …) to learn its number, and writes
 *   its pid in it;
 * - `WOOL_HEALTHY_LAUNCHES`: launches up to this number run the real
 *   worker; every later one exits with code 1 before its ready line;
 * - `WOOL_INBOX_PORT`: each launch then reports `launch <n> <pid> <time>`
 *   to the test's inbox on this loopback port, `<time>` in milliseconds
 *   since the epoch.
 *
 * @module
 */
import { join } from "node:path";
import { runWorker } from "../../../src/worker/run_worker.ts";

const dir = Deno.env.get("WOOL_LAUNCH_DIR");
if (!dir) throw new Error("WOOL_LAUNCH_DIR is not set");
let launch = 1;
while (true) {
  try {
    Deno.openSync(join(dir, `launch-${launch}`), {
      write: true,
      createNew: true,
    }).close();
    break;
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    launch++;
  }
}

Deno.writeTextFileSync(join(dir, `launch-${launch}`), String(Deno.pid));

const conn = await Deno.connect({
  hostname: "127.0.0.1",
  port: Number(Deno.env.get("WOOL_INBOX_PORT")),
});
const time = performance.timeOrigin + performance.now();
const line = new TextEncoder().encode(
  `launch ${launch} ${Deno.pid} ${time}\n`,
);
for (let written = 0; written < line.length;) {
  written += await conn.write(line.subarray(written));
}
conn.close();

if (launch > Number(Deno.env.get("WOOL_HEALTHY_LAUNCHES"))) {
  console.error(`launch ${launch}: dies at start-up`);
  Deno.exit(1);
}
await runWorker(Deno.stdin);
