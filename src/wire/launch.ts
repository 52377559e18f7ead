/**
 * The worker process protocol, shared by the caller that spawns a worker and
 * the worker entry (`src/worker/main.ts`):
 *
 * 1. The caller writes one line of JSON, a {@linkcode WorkerConfig}, on the
 *    worker's stdin, and keeps stdin open.
 * 2. The worker loads its backpressure hook, listens where the config says
 *    (a Unix socket in the pool's private directory, or TCP on loopback),
 *    and writes one *status line* on stdout: `<nonce> ready <json>` with a
 *    {@linkcode ReadyReport}, or `<nonce> failed <json>` with an error
 *    record when it cannot start. The nonce comes from the config, so no
 *    output of task or hook code can be taken for a status line.
 * 3. Every other line on stdout or stderr is task or hook output; the
 *    caller relays it, labelled with the worker.
 * 4. The worker exits when its stdin closes (or after a `Stop` RPC),
 *    removing its socket first.
 *
 * The config carries the pool's secret ({@linkcode WorkerConfig.token}):
 * stdin is the one channel other users cannot read (a command line or an
 * environment can be read through `/proc`).
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
 * The host a pool's workers bind when they listen on TCP: loopback only.
 * The pool puts it in each worker's config, and grants the worker `net` to
 * it.
 */
export const WORKER_HOST = "127.0.0.1";

/** The prefix of a Unix socket address, as grpc-js and `pool.workers` write it. */
export const UNIX_ADDRESS_PREFIX = "unix:";

/** What one connection to a worker may hold. */
export interface ConnectionLimits {
  /**
   * Streams open at once on one connection: HTTP/2 streams, and tasks on
   * one `Session` stream.
   */
  readonly maxConcurrentStreams: number;
  /**
   * Connections that have not yet made an authenticated call; one more is
   * closed at once.
   */
  readonly maxPendingConnections: number;
  /**
   * Milliseconds a new connection gets to make its first authenticated
   * call before it is closed.
   */
  readonly pendingConnectionTimeoutMs: number;
}

/**
 * The limits a pool sets on connections to its workers. Its own connection
 * to a worker carries at most `maxConcurrentDispatches` tasks, plus an
 * `Idle` probe, a `Stop` and a `Session` stream: the stream limit leaves
 * room for those. Nothing but the pool should connect, so few pending
 * connections are allowed, for a few seconds.
 *
 * @param maxConcurrentDispatches The pool's per-worker task limit.
 */
export function poolConnectionLimits(
  maxConcurrentDispatches: number,
): ConnectionLimits {
  return {
    maxConcurrentStreams: maxConcurrentDispatches + 8,
    maxPendingConnections: 8,
    pendingConnectionTimeoutMs: 5000,
  };
}

/** What the caller sends a worker on stdin, as one JSON line. */
export interface WorkerConfig {
  /** The worker's id in its pool, for labels and errors. */
  readonly id: string;
  /** Marks the worker's status lines on stdout. */
  readonly nonce: string;
  /**
   * Where to listen: `unix:<absolute path>` (a Unix socket), or
   * `<host>:0` (TCP; the port is picked by the system).
   */
  readonly listen: string;
  /** The pool's secret: the worker serves only calls that present it. */
  readonly token: string;
  /** What one connection may hold. */
  readonly limits: ConnectionLimits;
  /** The hook to load at start-up, or `null` to accept every task. */
  readonly backpressure: HookSpec | null;
  /** Milliseconds a hook gets to answer before it counts as a rejection. */
  readonly backpressureTimeoutMs: number;
  /** Largest frame, in bytes, the worker sends or receives. */
  readonly maxMessageBytes: number;
}

/** What a worker reports once it serves. */
export interface ReadyReport {
  /** `unix:<path>` or `host:port`: where the gRPC server listens. */
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
