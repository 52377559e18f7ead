/**
 * The worker process protocol, shared by the caller that spawns a worker and
 * the worker entry (`src/worker/main.ts`):
 *
 * 1. The caller writes one line of JSON, a {@linkcode WorkerConfig}, on the
 *    worker's stdin, and keeps stdin open.
 * 2. The worker loads its backpressure hook, binds its gRPC server, and
 *    writes one *status line* on stdout: `<nonce> ready <json>` with a
 *    {@linkcode ReadyReport}, or `<nonce> failed <json>` with an error
 *    record when it cannot start. The nonce comes from the config, so no
 *    output of task or hook code can be taken for a status line.
 * 3. Every other line on stdout or stderr is task or hook output; the
 *    caller relays it, labelled with the worker.
 * 4. The worker exits when its stdin closes (or after a `Stop` RPC).
 *
 * @module
 */
import type { ErrorRecord } from "./errors.ts";

/** A JSON value, as hook factory options are. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** The backpressure hook a worker loads, in normalized form. */
export interface HookSpec {
  /** Module specifier (a URL as its href). */
  readonly module: string;
  /** Export name; `default` unless given. */
  readonly export: string;
  /** When present, the export is a factory called once with these options. */
  readonly options?: JsonValue;
}

/**
 * The host a pool's workers bind: loopback only. The pool puts it in each
 * worker's config, and grants the worker `net` to it.
 */
export const WORKER_HOST = "127.0.0.1";

/** What the caller sends a worker on stdin, as one JSON line. */
export interface WorkerConfig {
  /** The worker's id in its pool, for labels and errors. */
  readonly id: string;
  /** Marks the worker's status lines on stdout. */
  readonly nonce: string;
  /** Host to bind the gRPC server to; the port is picked by the system. */
  readonly host: string;
  /** The hook to load at start-up, or `null` to accept every task. */
  readonly backpressure: HookSpec | null;
  /** Milliseconds a hook gets to answer before it counts as a rejection. */
  readonly backpressureTimeoutMs: number;
  /** Largest frame, in bytes, the worker sends or receives. */
  readonly maxMessageBytes: number;
}

/** What a worker reports once it serves. */
export interface ReadyReport {
  /** `host:port` the gRPC server listens on. */
  readonly address: string;
  readonly pid: number;
}

/** A parsed status line. */
export type StatusLine =
  | { readonly status: "ready"; readonly report: ReadyReport }
  | { readonly status: "failed"; readonly error: ErrorRecord };

/** Formats the ready line a worker prints. */
export function formatReadyLine(nonce: string, report: ReadyReport): string {
  return `${nonce} ready ${JSON.stringify(report)}\n`;
}

/** Formats the line a worker prints when it cannot start. */
export function formatFailedLine(nonce: string, error: ErrorRecord): string {
  return `${nonce} failed ${JSON.stringify(error)}\n`;
}

/**
 * Parses a line of worker stdout: a {@linkcode StatusLine} when it is one
 * carrying `nonce`, otherwise `undefined` (ordinary output).
 */
export function parseStatusLine(
  line: string,
  nonce: string,
): StatusLine | undefined {
  if (!line.startsWith(`${nonce} `)) return undefined;
  const rest = line.slice(nonce.length + 1);
  const space = rest.indexOf(" ");
  const status = rest.slice(0, space);
  const payload = JSON.parse(rest.slice(space + 1));
  if (status === "ready") return { status, report: payload as ReadyReport };
  if (status === "failed") return { status, error: payload as ErrorRecord };
  return undefined;
}
