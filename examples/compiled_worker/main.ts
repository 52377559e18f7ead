/**
 * Running workers from a command of your own: where a compiled worker
 * binary goes (`deno compile`, see the README). Here `worker.sh` stands in
 * for the binary, so the example runs without one.
 *
 *     deno run -A examples/compiled_worker/main.ts [path/to/wool-worker]
 *
 * @module
 */
import { WorkerPool } from "@wool/core";
import { fileURLToPath } from "node:url";

const command = Deno.args[0] ??
  fileURLToPath(import.meta.resolve("./worker.sh"));

await using pool = await WorkerPool.start({
  spawn: 2,
  worker: { command, args: [], env: { WOOL_DENO: Deno.execPath() } },
});
const tasks = pool.remote<typeof import("../tasks.ts")>(
  import.meta.resolve("../tasks.ts"),
);
console.log(
  `workers from ${command}:`,
  pool.workers.map((w) => w.pid).join(", "),
);
console.log("add(20, 22) =", await tasks.add(20, 22));
