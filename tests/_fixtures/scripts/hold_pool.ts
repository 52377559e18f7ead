/**
 * Starts a pool of two workers, prints their pids as one JSON line, and
 * waits to be killed. The stdin test SIGKILLs it and watches the workers.
 *
 * @module
 */
import { WorkerPool } from "../../../mod.ts";

const pool = await WorkerPool.start({ spawn: 2 });
console.log(JSON.stringify(pool.workers.map((worker) => worker.pid)));
// Stays up, pool open, until it is killed.
setInterval(() => {}, 60_000);
