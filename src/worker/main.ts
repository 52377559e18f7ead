/**
 * The worker process entry of `@wool/core` (`@wool/core/worker`). It runs
 * in one of two ways:
 *
 * - **Standalone**, with flags: `deno run -A jsr:@wool/core/worker --listen
 *   HOST:PORT --token-file FILE …` serves pools on other machines until
 *   SIGTERM or SIGINT drain it; `--help` lists the flags. When ready it
 *   prints exactly one line on stdout, `wool-worker listening on
 *   <address>`. See `standalone.ts`.
 * - **Spawned by a pool**, with no arguments and its config on stdin, as
 *   described below.
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

/**
 * Never true: it guards the `import()`s below, which never run. Workers
 * import these entries by name at run time (a hook spec naming
 * `@wool/core/backpressure`, task code importing `@wool/core/task`), so
 * nothing imports them statically here; `deno cache` and `deno install`
 * follow a literal dynamic import even in a branch that never runs, so
 * caching a program that imports `@wool/core` caches them too, and its
 * workers find them with no network (`tests/integration/offline_test.ts`).
 */
const CACHE_HINT_ONLY = false as boolean;
if (CACHE_HINT_ONLY) {
  void import("../backpressure/mod.ts");
  void import("../task/mod.ts");
}

if (import.meta.main) {
  if (Deno.args.length === 0) await runWorker(Deno.stdin);
  else {
    // Loaded only here, so a spawned worker does not load what only a
    // standalone one needs (TLS files, NATS); `deno cache` still follows
    // the literal import.
    const { runStandaloneWorker } = await import("./standalone.ts");
    await runStandaloneWorker(Deno.args);
  }
}
