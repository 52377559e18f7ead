/**
 * The worker process entry of `@wool/core` (`@wool/core/worker`).
 *
 * A pool starts it as `deno run <permissions> --config <the caller's
 * config> <this module>` (or runs any command that speaks the same
 * protocol, such as a compiled binary of this module), then:
 *
 * 1. writes one line of JSON on its stdin: the worker's config (id, a
 *    nonce, the host to bind, the backpressure hook to load, limits);
 * 2. the worker loads its backpressure hook, binds its gRPC server on an
 *    ephemeral port and prints one status line on stdout:
 *    `<nonce> ready {"address":"127.0.0.1:PORT","pid":N}`, or
 *    `<nonce> failed <error record>` and exits with code 1 when it cannot
 *    start (a bad hook, a port it cannot bind);
 * 3. every other line it prints is task or hook output, which the pool
 *    relays, labelled with the worker;
 * 4. it exits when its stdin closes (so it never outlives its pool, even
 *    when the pool's process is killed), or after a `Stop` RPC. A worker
 *    whose event loop a task blocks cannot see its stdin close: a spawning
 *    pool runs each worker in a process group of its own, which its reaper
 *    ends if the pool's process dies (`src/process/reaper.ts`).
 *
 * The protocol is defined in `src/wire/launch.ts`; the gRPC service in
 * `proto/wool.proto`.
 *
 * @module
 */
import { runWorker } from "./run_worker.ts";

if (import.meta.main) {
  await runWorker(Deno.stdin.readable);
}
