/**
 * A `worker.command` that runs the worker entry with a module preloaded
 * (`deno run --preload`), as docs/telemetry.md tells users to register an
 * OpenTelemetry SDK in their workers; with the repository's `deno.json`,
 * so the entry and the preloaded module resolve as in this checkout.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));
const WORKER_ENTRY = fileURLToPath(
  new URL("../../src/worker/main.ts", import.meta.url),
);

/** The worker command and its arguments, preloading `module` (a URL or path). */
export function preloadedWorker(
  module: string | URL,
): { readonly command: string; readonly args: string[] } {
  const preload = module instanceof URL ? module.href : module;
  return {
    command: Deno.execPath(),
    args: ["run", "-A", "--config", CONFIG, "--preload", preload, WORKER_ENTRY],
  };
}
