/**
 * Starts a one-worker pool whose hook writes while the worker starts,
 * calls `shout("hello")`, prints the result, and closes the pool. The
 * output test runs it as a subprocess and reads its stdout and stderr.
 *
 * @module
 */
import { WorkerPool } from "../../../mod.ts";

await using pool = await WorkerPool.start({
  spawn: 1,
  backpressure: import.meta.resolve("../noisy_hook.ts"),
});
const tasks = pool.remote<typeof import("../tasks.ts")>(
  import.meta.resolve("../tasks.ts"),
);
console.log(`result: ${await tasks.shout("hello")}`);
