/**
 * Starts a pool of two workers, each of whose tasks starts `sleep 60`:
 * the first task returns, the second then spins in a synchronous loop. Each
 * task reports `"<worker pid> <child pid>"` to the inbox on the port given
 * as the first argument; the script prints the workers' pids as one JSON
 * line and waits to be killed. The process group test SIGKILLs it and
 * watches every process it learned of.
 *
 * @module
 */
import { WorkerPool } from "../../../mod.ts";
import { report } from "../tasks.ts";

type Children = typeof import("../lifecycle/children.ts");

const inboxPort = Number(Deno.args[0]);
// No liveness probe: only the pool's death may end the spinning worker.
const pool = await WorkerPool.start({ spawn: 2, workerUnresponsiveMs: 0 });
const children = pool.remote<Children>(
  import.meta.resolve("../lifecycle/children.ts"),
);
const first = await children.startChild();
await report(inboxPort, `${first.worker} ${first.child}`);
// The round robin sends this one to the other worker; it never answers.
children.childThenSpin(inboxPort).catch(() => {});
console.log(JSON.stringify(pool.workers.map((worker) => worker.pid)));
// Stays up, pool open, until it is killed.
setInterval(() => {}, 60_000);
