/**
 * Starts a pool of two workers on Unix sockets, prints
 * `{ pids, addresses }` as one line of JSON, and waits to be killed: the
 * test SIGKILLs it and watches what the workers leave behind.
 *
 * @module
 */
import { WorkerPool } from "../../../mod.ts";

const pool = await WorkerPool.start({ spawn: 2 });
console.log(JSON.stringify({
  pids: pool.workers.map((worker) => worker.pid),
  addresses: pool.workers.map((worker) => worker.address),
}));
// Stays up, pool open, until it is killed.
setInterval(() => {}, 60_000);
