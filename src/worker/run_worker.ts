/**
 * The life of a worker process: read the config, load the hook, serve,
 * report ready, and exit when stdin closes or a `Stop` RPC arrives. On the
 * way out it removes its socket, then its pool's socket directory if that
 * is empty: the last worker out removes it, so a pool killed without
 * `close()` leaves nothing behind.
 *
 * @module
 */
import { dirname } from "node:path";
import { writeAll } from "../_util/write_all.ts";
import { loadBackpressureHook } from "../backpressure/hook_loader.ts";
import { reportSettledErrorsOnce } from "./settled_reporter.ts";
import { toErrorRecord } from "../wire/errors.ts";
import {
  formatFailedLine,
  formatReadyLine,
  type WorkerConfig,
} from "../wire/launch.ts";
import { tokenAuthenticator } from "./authenticator.ts";
import { tryRemove } from "./listener.ts";
import { serve, type Serving } from "./serve.ts";
import { keepAliveOnStrayErrors } from "./stray_errors.ts";
import { WorkerService } from "./worker_service.ts";

const encoder = new TextEncoder();

/**
 * What a worker reads its config line from, then waits on for the end:
 * its stdin (`Deno.stdin`). Read directly rather than as a
 * `ReadableStream`, whose machinery (and a `TextDecoderStream`'s) costs a
 * starting worker ~6 ms before it has read a byte.
 */
export interface ByteSource {
  /** Reads into `buffer`; resolves the bytes read, or null at the end. */
  read(buffer: Uint8Array): Promise<number | null>;
}

/**
 * Runs a worker from its stdin: the first line is its config; the worker
 * exits once the rest of stdin closes.
 */
export async function runWorker(stdin: ByteSource): Promise<void> {
  const line = await readFirstLine(stdin);
  let config: WorkerConfig;
  try {
    config = JSON.parse(line) as WorkerConfig;
  } catch (error) {
    await writeStderr(`wool worker: cannot parse its config line: ${error}\n`);
    Deno.exit(2);
  }
  keepAliveOnStrayErrors(`wool worker ${config.id}`);
  let serving: Serving;
  try {
    const hook = config.backpressure
      ? await loadBackpressureHook(config.backpressure, {
        onSettledError: reportSettledErrorsOnce(`wool worker ${config.id}`)
          .report,
      })
      : null;
    const service = new WorkerService({
      hook,
      backpressureTimeoutMs: config.backpressureTimeoutMs,
      maxMessageBytes: config.maxMessageBytes,
      maxTasksPerSession: config.limits.maxConcurrentStreams,
      onStopped: () =>
        void serving.drain(STOP_DRAIN_MS).then(() => exit(serving)),
      profile: () => ({ id: config.id, address: serving.address, tags: [] }),
    });
    serving = await serve({
      listen: config.listen,
      authenticator: tokenAuthenticator(config.token),
      limits: config.limits,
      maxMessageBytes: config.maxMessageBytes,
      handlers: service.handlers(),
    });
  } catch (error) {
    await writeStdout(formatFailedLine(config.nonce, toErrorRecord(error)));
    Deno.exit(1);
  }
  await writeStdout(
    formatReadyLine(config.nonce, { address: serving.address, pid: Deno.pid }),
  );
  await drain(stdin);
  serving.close();
  exit(serving);
}

/** Milliseconds calls in flight get to finish once a `Stop` was answered. */
const STOP_DRAIN_MS = 1000;

/** Bytes read from stdin at a time. */
const READ_BYTES = 16 * 1024;

/**
 * Exits, leaving nothing on disk: the socket file, then the socket
 * directory when no other worker's socket is left in it.
 */
function exit(serving: Serving): never {
  if (serving.socketPath !== undefined) {
    tryRemove(serving.socketPath);
    tryRemove(dirname(serving.socketPath));
  }
  Deno.exit(0);
}

async function readFirstLine(source: ByteSource): Promise<string> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(READ_BYTES);
  let buffered = "";
  while (true) {
    const newline = buffered.indexOf("\n");
    if (newline >= 0) return buffered.slice(0, newline);
    const read = await source.read(buffer);
    if (read === null) return buffered + decoder.decode();
    buffered += decoder.decode(buffer.subarray(0, read), { stream: true });
  }
}

async function drain(source: ByteSource): Promise<void> {
  const buffer = new Uint8Array(READ_BYTES);
  try {
    while ((await source.read(buffer)) !== null) {
      // Anything after the config line is ignored; only the close matters.
    }
  } catch {
    // A broken stdin means the same as a closed one: the pool is gone.
  }
}

async function writeStdout(text: string): Promise<void> {
  await writeAll(Deno.stdout, encoder.encode(text));
}

async function writeStderr(text: string): Promise<void> {
  await writeAll(Deno.stderr, encoder.encode(text));
}
