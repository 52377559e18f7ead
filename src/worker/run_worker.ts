/**
 * The life of a worker process: read the config, load the hook, serve,
 * report ready, and exit when stdin closes or a `Stop` RPC arrives.
 *
 * @module
 */
import { writeAll } from "../_util/write_all.ts";
import { grpc } from "../wire/grpc.ts";
import { loadBackpressureHook } from "../backpressure/hook_loader.ts";
import type { BackpressureHook } from "../backpressure/types.ts";
import { toErrorRecord } from "../wire/errors.ts";
import {
  formatFailedLine,
  formatReadyLine,
  type WorkerConfig,
} from "../wire/launch.ts";
import { FRAME_OVERHEAD_BYTES } from "../wire/frames.ts";
import { loadWorkerService } from "../wire/proto.ts";
import { WorkerService } from "./worker_service.ts";

const encoder = new TextEncoder();

/**
 * Runs a worker from its stdin: the first line is its config; the worker
 * exits once the rest of stdin closes.
 */
export async function runWorker(
  stdin: ReadableStream<Uint8Array>,
): Promise<void> {
  const lines = stdin.pipeThrough(new TextDecoderStream()).getReader();
  const line = await readFirstLine(lines);
  let config: WorkerConfig;
  try {
    config = JSON.parse(line) as WorkerConfig;
  } catch (error) {
    await writeStderr(`wool worker: cannot parse its config line: ${error}\n`);
    Deno.exit(2);
  }
  keepAliveOnStrayErrors(config.id);
  let server: grpc.Server;
  let address: string;
  try {
    const hook = config.backpressure
      ? await loadBackpressureHook(config.backpressure)
      : null;
    ({ server, address } = await serve(config, hook));
  } catch (error) {
    await writeStdout(formatFailedLine(config.nonce, toErrorRecord(error)));
    Deno.exit(1);
  }
  await writeStdout(formatReadyLine(config.nonce, { address, pid: Deno.pid }));
  await drain(lines);
  server.forceShutdown();
  Deno.exit(0);
}

async function serve(
  config: WorkerConfig,
  hook: BackpressureHook | null,
): Promise<{ server: grpc.Server; address: string }> {
  const definition = await loadWorkerService();
  const frameLimit = config.maxMessageBytes + FRAME_OVERHEAD_BYTES;
  const server = new grpc.Server({
    "grpc.max_receive_message_length": frameLimit,
    "grpc.max_send_message_length": frameLimit,
  });
  const service = new WorkerService({
    hook,
    backpressureTimeoutMs: config.backpressureTimeoutMs,
    maxMessageBytes: config.maxMessageBytes,
    onStopped: () => shutDown(server),
  });
  server.addService(definition, service.handlers());
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${config.host}:0`,
      grpc.ServerCredentials.createInsecure(),
      (error, bound) => error ? reject(error) : resolve(bound),
    );
  });
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return { server, address: `${host}:${port}` };
}

function shutDown(server: grpc.Server): void {
  const force = setTimeout(() => {
    server.forceShutdown();
    Deno.exit(0);
  }, 1000);
  server.tryShutdown(() => {
    clearTimeout(force);
    Deno.exit(0);
  });
}

async function readFirstLine(
  reader: ReadableStreamDefaultReader<string>,
): Promise<string> {
  let buffered = "";
  while (true) {
    const newline = buffered.indexOf("\n");
    if (newline >= 0) return buffered.slice(0, newline);
    const { value, done } = await reader.read();
    if (done) return buffered;
    buffered += value;
  }
}

async function drain(
  reader: ReadableStreamDefaultReader<string>,
): Promise<void> {
  try {
    while (!(await reader.read()).done) {
      // Anything after the config line is ignored; only the close matters.
    }
  } catch {
    // A broken stdin means the same as a closed one: the pool is gone.
  }
}

/**
 * Keeps the worker serving when task code leaves an error no one handles
 * (a rejection, or a throw in a timer or a microtask): it is reported on
 * stderr, and the other tasks the worker runs are not cut short.
 */
function keepAliveOnStrayErrors(workerId: string): void {
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    reportStray(workerId, "unhandled rejection", event.reason);
  });
  globalThis.addEventListener("error", (event) => {
    event.preventDefault();
    reportStray(workerId, "uncaught exception", event.error);
  });
}

function reportStray(workerId: string, what: string, error: unknown): void {
  let text: string;
  try {
    text = error instanceof Error
      ? error.stack ?? error.message
      : String(error);
  } catch {
    text = "a value that cannot be printed";
  }
  void writeStderr(`wool worker ${workerId}: ${what} in task code: ${text}\n`);
}

async function writeStdout(text: string): Promise<void> {
  await writeAll(Deno.stdout, encoder.encode(text));
}

async function writeStderr(text: string): Promise<void> {
  await writeAll(Deno.stderr, encoder.encode(text));
}
