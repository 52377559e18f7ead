/**
 * The worker process entry of `@wool/core` (`@wool/core/worker`).
 *
 * A pool starts it as `deno run <permissions> --config <the caller's
 * config> <this module>` (or runs any command that speaks the same
 * protocol, such as a compiled binary of this module), then:
 *
 * 1. writes one line of JSON on its stdin: the worker's config (id, a
 *    nonce, where to listen, the pool's secret, the backpressure hook to
 *    load, limits) — stdin, because other users can read a command line
 *    or an environment through `/proc`;
 * 2. the worker loads its backpressure hook, listens (on a Unix socket in
 *    the pool's private directory, or on TCP on 127.0.0.1) and prints one
 *    status line on stdout:
 *    `<nonce> ready {"address":"unix:/tmp/wool-…/w1.sock","pid":N}`, or
 *    `<nonce> failed <error record>` and exits with code 1 when it cannot
 *    start (a bad hook, an address it cannot listen on);
 * 3. every other line it prints is task or hook output, which the pool
 *    relays, labelled with the worker;
 * 4. it exits when its stdin closes (so it never outlives its pool, even
 *    when the pool's process is killed), or after a `Stop` RPC, removing
 *    its socket first. A worker whose event loop a task blocks cannot see
 *    its stdin close: a spawning pool runs each worker in a process group
 *    of its own, which its reaper ends if the pool's process dies
 *    (`src/process/reaper.ts`).
 *
 * It serves only calls that present the pool's secret
 * (`authorization: Bearer <secret>`); any other is refused with
 * `UNAUTHENTICATED` before a frame of it is decoded.
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
