/**
 * Run with a `run` grant narrowed to Deno and `/bin/sh` (no `Deno.kill`
 * of a group): starts a one-worker pool whose task starts `sleep 60`
 * through `/bin/sh`, prints `{ run, worker, child }` as one JSON line
 * (`run`: this process's unscoped `run` state), closes the pool, and exits.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { WorkerPool } from "../../../mod.ts";

type Children = typeof import("../lifecycle/children.ts");

const root = fileURLToPath(new URL("../../../", import.meta.url));
{
  await using pool = await WorkerPool.start({
    spawn: 1,
    worker: {
      config: `${root}deno.json`,
      permissions: { read: [root], run: ["/bin/sh"] },
    },
  });
  const children = pool.remote<Children>(
    import.meta.resolve("../lifecycle/children.ts"),
  );
  const pids = await children.startChild(true);
  const run = Deno.permissions.querySync({ name: "run" }).state;
  console.log(JSON.stringify({ run, ...pids }));
}
