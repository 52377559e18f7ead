/**
 * Spawning a worker process and watching it until it exits.
 *
 * {@linkcode spawnWorker} runs a resolved launch with stdin, stdout and
 * stderr piped, writes the worker's config on stdin as one JSON line (and
 * keeps stdin open: the worker exits when it closes), relays the worker's
 * output labelled with its id, and resolves with a
 * {@linkcode WorkerProcess} once the ready line arrives. When the worker
 * cannot start, nothing is left behind: the process is killed and awaited,
 * its streams are read to the end and closed, and the promise rejects with
 * a `WorkerStartError`.
 *
 * Each worker leads a process group of its own (on Unix; see
 * `process_group.ts`), which the processes its tasks start inherit. Signals
 * go to the whole group, and when the worker exits, however it ends (a
 * stop, a crash, a kill), what is left of its group is killed: nothing a
 * task started outlives its worker. The pool's reaper, when one is given,
 * covers the pool's own death.
 *
 * Life of a worker process:
 *
 * | state      | entered when                                   |
 * | ---------- | ---------------------------------------------- |
 * | `ready`    | its ready line arrived (`spawnWorker` resolved) |
 * | `stopping` | `stop()` was called                            |
 * | `exited`   | the process has exited, whatever the cause     |
 *
 * @module
 */
import { describeError } from "../_util/describe.ts";
import { fromErrorRecord } from "../wire/errors.ts";
import type { WorkerConfig } from "../wire/launch.ts";
import { type ChildIo, exitsWithin, watchChild } from "./child_io.ts";
import { WorkerStartError } from "./errors.ts";
import { describeExitCause } from "./exit_cause.ts";
import type { ResolvedWorkerLaunch } from "./launch.ts";
import type { ResourceLimits } from "./resource_limits.ts";
import type { OutputSink } from "./output_relay.ts";
import {
  type GroupWatcher,
  ProcessGroup,
  SPAWNS_IN_OWN_GROUP,
} from "./process_group.ts";
import type { WorkerExit } from "./worker_exit.ts";
import { readStatusLine, type ReadyOutcome } from "./ready_line.ts";

/**
 * Where a worker process is in its life:
 *
 * - `"ready"`: it reported ready and serves;
 * - `"stopping"`: {@linkcode WorkerProcess.stop} was called and it has not
 *   exited yet;
 * - `"exited"`: the process has exited (on its own, stopped or killed).
 */
export type WorkerState = "ready" | "stopping" | "exited";

/** Options of {@linkcode spawnWorker}. */
export interface SpawnWorkerOptions {
  /** Milliseconds the worker gets, from spawn, to print its status line. */
  readonly startTimeoutMs: number;
  /**
   * Gives up starting the worker when aborted (the process is killed).
   *
   * @default {undefined}
   */
  readonly signal?: AbortSignal;
  /**
   * Where the worker's stdout lines go, labelled.
   *
   * @default {STDOUT_SINK}
   */
  readonly stdout?: OutputSink;
  /**
   * Where the worker's stderr lines go, labelled.
   *
   * @default {STDERR_SINK}
   */
  readonly stderr?: OutputSink;
  /**
   * Told when the worker's process group starts and ends: the pool's
   * reaper, which ends the group if the pool's process dies.
   *
   * @default {undefined}
   */
  readonly reaper?: GroupWatcher;
}

/** Options of {@linkcode WorkerProcess.stop}. */
export interface StopOptions {
  /**
   * Milliseconds the worker gets to exit after its stdin is closed, before
   * it is sent `SIGTERM`.
   *
   * @default {5000}
   */
  readonly timeoutMs?: number;
  /**
   * Milliseconds the worker gets to exit after `SIGTERM`, before it is sent
   * `SIGKILL`.
   *
   * @default {2000}
   */
  readonly termTimeoutMs?: number;
}

/**
 * Milliseconds a worker that reported `failed`, or closed its stdout, gets
 * to exit on its own (as the protocol asks) before it is killed, so that
 * its exit code and last stderr lines are known.
 */
export const FAILED_EXIT_GRACE_MS = 1000;

const INTERNAL: unique symbol = Symbol("WorkerProcess.internal");

/** What a started process is made of, for the constructor. */
interface WorkerProcessInit {
  readonly id: string;
  readonly address: string;
  readonly command: readonly string[];
  readonly child: Deno.ChildProcess;
  readonly io: ChildIo;
}

/**
 * Spawns a worker process and waits for its ready line.
 *
 * @param launch The command line (see `resolveWorkerLaunch()`).
 * @param config The config written on the worker's stdin; its `id` labels
 * the output and its `nonce` marks the status line.
 * @param options The start deadline, an abort signal, and where output goes.
 * @returns The running worker, once it reported ready.
 * @throws {WorkerStartError} when the process cannot be run, exits or
 * closes its stdout before its ready line, reports `failed` or a malformed
 * status line, does not report within `startTimeoutMs`, or `signal` aborts.
 * By then the process has exited and its streams are closed.
 */
export async function spawnWorker(
  launch: ResolvedWorkerLaunch,
  config: WorkerConfig,
  options: SpawnWorkerOptions,
): Promise<WorkerProcess> {
  const command = Object.freeze([launch.command, ...launch.args]);
  const { signal } = options;
  if (signal?.aborted) {
    throw new WorkerStartError(config.id, "the start was aborted", {
      command,
      cause: signal.reason,
    });
  }
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(launch.command, {
      args: [...launch.args],
      env: { ...launch.env },
      clearEnv: launch.clearEnv,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      detached: SPAWNS_IN_OWN_GROUP,
    }).spawn();
  } catch (error) {
    throw new WorkerStartError(
      config.id,
      `cannot run ${JSON.stringify(launch.command)}: ${describeError(error)}`,
      { command, cause: error },
    );
  }
  const group = new ProcessGroup(child, options.reaper);
  const io = watchChild(child, group, config, options);
  io.write(`${JSON.stringify(config)}\n`);
  const outcome = await readStatusLine(io.watcher, {
    timeoutMs: options.startTimeoutMs,
    signal,
  });
  if (outcome.status === "ready") {
    return new WorkerProcess(INTERNAL, {
      id: config.id,
      address: outcome.report.address,
      command,
      child,
      io,
    });
  }
  const end = await endFailedStart(io, outcome);
  throw startError(config.id, outcome, end, io, {
    command,
    resourceLimits: launch.resourceLimits,
  });
}

/**
 * A running worker process, created by {@linkcode spawnWorker} once it
 * reported ready. It owns the process: dispose of it (or `stop()` it) to
 * make it exit and to release its streams.
 */
export class WorkerProcess {
  /** The worker's id, from its config. */
  readonly id: string;
  /** The process id. */
  readonly pid: number;
  /** The `host:port` its gRPC server listens on, from its ready line. */
  readonly address: string;
  /** The command line that started it: the program, then its arguments. */
  readonly command: readonly string[];
  /**
   * Settles as soon as the process has exited, with how it ended (and,
   * for one that failed, why, once its stderr has ended or
   * `FATAL_REPORT_WAIT_MS` has passed); its output may still be relaying
   * (for up to `RELAY_DRAIN_MS`, when another process holds its pipes). It
   * never rejects.
   */
  readonly exitStatus: Promise<WorkerExit>;
  /**
   * Settles when the process has exited and its output has been relayed
   * to the end; it never rejects. Nothing of the process is left open then.
   */
  readonly exited: Promise<WorkerExit>;
  readonly #io: ChildIo;
  #state: WorkerState = "ready";

  /**
   * Not public: workers come from {@linkcode spawnWorker}.
   *
   * @param internal A token only this module holds.
   * @param init The started process.
   * @throws {TypeError} when called from outside this module.
   */
  constructor(internal: typeof INTERNAL, init: WorkerProcessInit) {
    if (internal !== INTERNAL) {
      throw new TypeError(
        "Cannot construct WorkerProcess: use spawnWorker() to start a worker",
      );
    }
    this.id = init.id;
    this.pid = init.child.pid;
    this.address = init.address;
    this.command = init.command;
    this.#io = init.io;
    if (init.io.hasExited()) this.#state = "exited";
    init.child.status.then(() => this.#state = "exited");
    this.exitStatus = init.io.status;
    this.exited = init.io.finished;
  }

  /** Where the process is in its life; see {@linkcode WorkerState}. */
  get state(): WorkerState {
    return this.#state;
  }

  /**
   * Closes the worker's stdin, which asks it to exit. Idempotent.
   *
   * @returns A promise that settles once stdin is closed; it never rejects.
   */
  closeStdin(): Promise<void> {
    return this.#io.closeStdin();
  }

  /**
   * Sends a signal to the worker's process group: the worker and the
   * processes its tasks started (the worker alone where groups cannot be
   * signalled). Does nothing once the worker has exited; by then the rest
   * of its group has been killed.
   *
   * @param signal The signal to send.
   */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    this.#io.signal(signal);
  }

  /**
   * Stops the worker: closes its stdin, waits up to `timeoutMs` for it to
   * exit, then sends `SIGTERM` to its group, waits up to `termTimeoutMs`,
   * then sends `SIGKILL`. Once the worker has exited, the rest of its group
   * is killed.
   *
   * @param options How long to wait before each escalation.
   * @returns How the process ended, once it has exited and its output has
   * been relayed to the end.
   * @throws {RangeError} when a timeout is not a finite number ≥ 0.
   */
  async stop(options: StopOptions = {}): Promise<WorkerExit> {
    const timeoutMs = checkTimeout("timeoutMs", options.timeoutMs, 5000);
    const termTimeoutMs = checkTimeout(
      "termTimeoutMs",
      options.termTimeoutMs,
      2000,
    );
    if (this.#state === "ready") this.#state = "stopping";
    await this.closeStdin();
    if (!await exitsWithin(this.#io, timeoutMs)) {
      this.kill("SIGTERM");
      if (!await exitsWithin(this.#io, termTimeoutMs)) this.kill("SIGKILL");
    }
    return await this.exited;
  }

  /**
   * Stops the worker with the default timeouts, for `await using`.
   *
   * @returns A promise that settles once the process has exited.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** How a failed start ended: the exit, and whether it came unforced. */
interface FailedStartEnd {
  readonly exit: WorkerExit;
  readonly killed: boolean;
}

/**
 * Ends a start that failed: the process exits, its streams are closed. A
 * worker that reported `failed` or ended its stdout is exiting already, so
 * it gets {@linkcode FAILED_EXIT_GRACE_MS} to do so on its own (its exit
 * code then tells why); any other is killed at once.
 */
async function endFailedStart(
  io: ChildIo,
  outcome: Exclude<ReadyOutcome, { status: "ready" }>,
): Promise<FailedStartEnd> {
  const exiting = outcome.status === "failed" || outcome.status === "ended";
  if (!exiting) io.signal("SIGKILL");
  await io.closeStdin();
  const killed = !exiting || !await exitsWithin(io, FAILED_EXIT_GRACE_MS);
  if (killed) io.signal("SIGKILL");
  return { exit: await io.finished, killed };
}

function startError(
  id: string,
  outcome: Exclude<ReadyOutcome, { status: "ready" }>,
  { exit, killed }: FailedStartEnd,
  io: ChildIo,
  { command, resourceLimits }: {
    readonly command: readonly string[];
    readonly resourceLimits: ResourceLimits | undefined;
  },
): WorkerStartError {
  const fields = {
    command,
    stderr: io.stderrTail.text(),
    exitCode: exit.signal === null ? exit.code : null,
    signal: exit.signal,
  };
  const lastLine = exit.cause === undefined
    ? io.stderrTail.lastLine()
    : describeExitCause(exit.cause, resourceLimits);
  const said = lastLine === undefined ? "" : `: ${lastLine}`;
  switch (outcome.status) {
    case "failed": {
      const cause = fromErrorRecord(outcome.error);
      return new WorkerStartError(id, cause.message, { ...fields, cause });
    }
    case "malformed":
      return new WorkerStartError(
        id,
        `the process printed a malformed status line: ${outcome.line}`,
        { ...fields, cause: outcome.cause },
      );
    case "ended":
      return new WorkerStartError(
        id,
        killed
          ? `the process closed its stdout before it was ready${said}`
          : `${describeExit(exit)} before it was ready${said}`,
        fields,
      );
    case "timeout":
      return new WorkerStartError(
        id,
        `no ready line within ${outcome.timeoutMs} ms`,
        fields,
      );
    case "aborted":
      return new WorkerStartError(id, "the start was aborted", {
        ...fields,
        cause: outcome.reason,
      });
  }
}

function describeExit(exit: WorkerExit): string {
  return exit.signal === null
    ? `the process exited with code ${exit.code}`
    : `the process was killed by ${exit.signal}`;
}

function checkTimeout(
  name: string,
  value: number | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `Cannot stop worker: "${name}" must be a finite number ≥ 0, received ${value}`,
    );
  }
  return value;
}
