/**
 * A program that starts a one-worker pool the way `WorkerPool.start()`
 * will once the preflight is wired in: check the pool's own permissions
 * first, then start, run one task, close. Prints the task's result; on a
 * missing permission prints the error to stderr and exits with code 3.
 *
 * `@wool/core` is imported after the check because grpc-js reads its
 * environment variables as soon as it loads.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { checkPoolPermissions } from "../../../src/process/preflight.ts";

try {
  checkPoolPermissions({ commands: [Deno.execPath()], hosts: ["127.0.0.1"] });
} catch (error) {
  console.error(`${(error as Error).name}: ${(error as Error).message}`);
  Deno.exit(3);
}

const { WorkerPool } = await import("../../../mod.ts");
const tasks = new URL("../tasks.ts", import.meta.url);
await using pool = await WorkerPool.start({
  spawn: 1,
  worker: {
    config: fileURLToPath(new URL("../../../deno.json", import.meta.url)),
    permissions: {
      read: [fileURLToPath(new URL("../../../", import.meta.url))],
    },
  },
});
console.log(
  await pool.dispatch({ module: tasks.href, export: "add", args: [1, 2] }),
);
