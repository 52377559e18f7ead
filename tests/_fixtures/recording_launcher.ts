/**
 * A worker command that records its pid, for the tests that check no
 * process outlives a failed start: run it as
 * `deno run -A recording_launcher.ts` with the environment
 *
 * - `WOOL_PID_DIR`: a directory; it creates `<pid>` there, and claims the
 *   next free `slot-<n>` file to learn which worker of the pool it is;
 * - `WOOL_FAIL_SLOT` (optional): the slot that fails to start;
 * - `WOOL_FAIL_MODE`: how that slot fails: `"exit"` (writes to stderr and
 *   exits with code 3 before its ready line) or `"hang"` (never reports).
 *
 * Every other slot runs the real worker in this process.
 *
 * @module
 */
import { join } from "node:path";
import { runWorker } from "../../src/worker/run_worker.ts";

const dir = Deno.env.get("WOOL_PID_DIR");
if (!dir) throw new Error("WOOL_PID_DIR is not set");
await Deno.writeTextFile(join(dir, String(Deno.pid)), "");
let slot = 0;
while (true) {
  try {
    Deno.openSync(join(dir, `slot-${slot}`), { write: true, createNew: true })
      .close();
    break;
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    slot++;
  }
}

if (String(slot) === Deno.env.get("WOOL_FAIL_SLOT")) {
  if (Deno.env.get("WOOL_FAIL_MODE") === "hang") {
    // Never reports; keeps running until the pool gives up on it.
    setInterval(() => {}, 60_000);
  } else {
    console.error(`slot ${slot}: cannot start`);
    Deno.exit(3);
  }
} else {
  await runWorker(Deno.stdin);
}
