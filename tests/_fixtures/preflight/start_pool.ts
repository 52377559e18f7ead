/**
 * A program that starts a one-worker pool, runs one task and closes it;
 * its workers listen on TCP when its first argument is `tcp`.
 * Prints the task's result; when the pool cannot start for want of a
 * permission (the preflight of `WorkerPool.start()`, or Deno's own check
 * as `@wool/core` loads: grpc-js reads its variables then), prints the
 * error to stderr and exits with code 3.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

try {
  const { WorkerPool } = await import("../../../mod.ts");
  const tasks = new URL("../tasks.ts", import.meta.url);
  await using pool = await WorkerPool.start({
    spawn: 1,
    worker: {
      config: fileURLToPath(new URL("../../../deno.json", import.meta.url)),
      permissions: {
        read: [fileURLToPath(new URL("../../../", import.meta.url))],
      },
      listen: Deno.args[0] === "tcp" ? "tcp" : "unix",
    },
  });
  console.log(
    await pool.dispatch({ module: tasks.href, export: "add", args: [1, 2] }),
  );
} catch (error) {
  console.error(`${(error as Error).name}: ${(error as Error).message}`);
  Deno.exit(3);
}
