/**
 * `worker.command` launches of this checkout's worker entry with flags of
 * a test's or a benchmark's own (V8 flags, a profiler, a preloaded module):
 * `deno run -A <flags> --config <the repository's deno.json> <entry>`, so
 * the entry and the modules it loads resolve as in this checkout.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));
const WORKER_ENTRY = fileURLToPath(
  new URL("../../src/worker/main.ts", import.meta.url),
);

/** The worker command and its arguments, with `flags` for `deno run`. */
export function workerCommand(
  ...flags: string[]
): { readonly command: string; readonly args: string[] } {
  return {
    command: Deno.execPath(),
    args: ["run", "-A", ...flags, "--config", CONFIG, WORKER_ENTRY],
  };
}

/**
 * The worker command preloading `module` (a URL or path) with
 * `deno run --preload`, as docs/telemetry.md tells users to register an
 * OpenTelemetry SDK in their workers.
 */
export function preloadedWorker(
  module: string | URL,
): { readonly command: string; readonly args: string[] } {
  return workerCommand(
    "--preload",
    module instanceof URL ? module.href : module,
  );
}
