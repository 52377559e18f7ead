/**
 * A worker command that registers the real OpenTelemetry SDK (in-memory
 * exporters, a context manager that follows `await`) and then runs the
 * real worker in this process, as a program that sets up its SDK before
 * starting wool would. Run it as `deno run -A --config deno.json
 * sdk_worker.ts` through `worker.command`.
 *
 * @module
 */
import "./worker_sdk.ts";
import { runWorker } from "../../../src/worker/run_worker.ts";

await runWorker(Deno.stdin.readable);
