/**
 * The error raised when a worker process cannot start.
 *
 * @module
 */
import { WoolError } from "../errors.ts";

/**
 * A worker process could not start: it could not be run, exited or was
 * killed before its ready line, reported that it failed (a bad backpressure
 * hook, a port it could not bind), or did not report ready in time.
 *
 * `WorkerPool.start()` rejects with it, after it has made sure that no
 * process of the pool is left running. The message names the cause; the
 * underlying error, when there is one (the worker's own start-up error, the
 * spawn error, or the abort reason), is in `cause`.
 *
 * @example Reading why a worker did not start
 * ```ts
 * import { WorkerPool, WorkerStartError } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * // A "worker" that fails at once, in place of the real worker entry.
 * const error = await WorkerPool.start({
 *   spawn: 1,
 *   worker: {
 *     command: Deno.execPath(),
 *     args: ["eval", "console.error('no config here'); Deno.exit(3)"],
 *   },
 * }).then(async (pool) => await pool.close(), (error: unknown) => error);
 *
 * assert.ok(error instanceof WorkerStartError);
 * assert.equal(error.exitCode, 3);
 * assert.match(error.stderr, /no config here/);
 * assert.match(error.message, /exited with code 3 before it was ready/);
 * ```
 *
 * @example Building one, as a custom launcher's tests might
 * ```ts
 * import { WorkerStartError, WoolError } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const error = new WorkerStartError("w1", "the process exited with code 3 before it was ready", {
 *   stderr: "no config here\n",
 *   exitCode: 3,
 *   command: ["deno", "run", "worker.ts"],
 * });
 * assert.ok(error instanceof WoolError);
 * assert.equal(error.name, "WorkerStartError");
 * assert.equal(
 *   error.message,
 *   "Cannot start worker w1: the process exited with code 3 before it was ready",
 * );
 * assert.equal(error.exitCode, 3);
 * assert.equal(error.signal, null);
 * ```
 */
export class WorkerStartError extends WoolError {
  /** The id of the worker that could not start. */
  readonly workerId: string;
  /**
   * The tail of the process's stderr: at most its last 40 lines and about
   * 8 KiB; empty when it wrote nothing or never ran.
   */
  readonly stderr: string;
  /**
   * The process's exit code when it exited on its own; `null` when it was
   * ended by a signal or never ran.
   */
  readonly exitCode: number | null;
  /**
   * The name of the signal that ended the process (e.g. `"SIGKILL"`, which
   * is also what a start timeout or abort sends); `null` when it exited on
   * its own or never ran.
   */
  readonly signal: string | null;
  /** The command line that was run: the program, then its arguments. */
  readonly command: readonly string[];

  /**
   * Builds the error; the message is `Cannot start worker <id>: <reason>`.
   *
   * @param workerId The id of the worker that could not start.
   * @param reason What went wrong, in a few words.
   * @param options The process's stderr tail (default `""`), exit code and
   * signal (default `null`), command line (default `[]`), and the underlying
   * error as `cause`.
   */
  constructor(
    workerId: string,
    reason: string,
    options: ErrorOptions & {
      readonly stderr?: string;
      readonly exitCode?: number | null;
      readonly signal?: string | null;
      readonly command?: readonly string[];
    } = {},
  ) {
    super(
      `Cannot start worker ${workerId}: ${reason}`,
      "cause" in options ? { cause: options.cause } : undefined,
    );
    this.workerId = workerId;
    this.stderr = options.stderr ?? "";
    this.exitCode = options.exitCode ?? null;
    this.signal = options.signal ?? null;
    this.command = Object.freeze([...(options.command ?? [])]);
  }
}
