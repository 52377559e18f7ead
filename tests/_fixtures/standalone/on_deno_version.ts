/**
 * The standalone worker as if it ran on another Deno release: reads the
 * version from its first argument, makes `Deno.version.deno` read it, and
 * runs the worker with the other arguments (tests cannot run another
 * Deno).
 *
 * @module
 */
import { runStandaloneWorker } from "../../../src/worker/standalone.ts";

const [version, ...args] = Deno.args;
Object.defineProperty(Deno, "version", {
  value: Object.freeze({ ...Deno.version, deno: version }),
  configurable: true,
  writable: true,
});
await runStandaloneWorker(args);
