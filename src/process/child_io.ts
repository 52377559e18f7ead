/**
 * The plumbing of a child worker process: its stdout watched for the
 * status line and relayed, its stderr relayed with a tail kept and read
 * for V8's out-of-memory report (`exit_cause.ts`), its stdin
 * written in order and closed once, signals sent to its process group, and
 * its exit awaited together with the end of its output. When the process
 * exits, what is left of its group is killed before its output is drained,
 * so a process a task started cannot hold the pipes open.
 *
 * @module
 */
import { TIMED_OUT, withTimeout } from "../_util/timeout.ts";
import type { WorkerConfig } from "../wire/launch.ts";
import { ExitClassifier } from "./exit_cause.ts";
import {
  OutputRelay,
  type OutputSink,
  STDERR_SINK,
  STDOUT_SINK,
  TailBuffer,
} from "./output_relay.ts";
import type { ProcessGroup } from "./process_group.ts";
import { StatusLineWatcher } from "./ready_line.ts";
import type { WorkerExit } from "./worker_exit.ts";

const encoder = new TextEncoder();

/**
 * Milliseconds the output relays get, once the process has exited, to read
 * what is left in its pipes. A pipe still open after that is held by
 * another process (a grandchild that inherited it); its relay is cut short.
 */
export const RELAY_DRAIN_MS = 2000;

/**
 * Milliseconds a process that failed gets, once it has exited, for the rest
 * of its stderr to be read before its exit is reported: V8 writes its
 * out-of-memory report just before it aborts, and the report may still be
 * in the pipe when the exit is seen.
 */
export const FATAL_REPORT_WAIT_MS = 200;

/** Where a child's output goes; the caller's own stdout and stderr by default. */
export interface ChildOutputOptions {
  readonly stdout?: OutputSink;
  readonly stderr?: OutputSink;
}

/** A child process's streams, group and exit, watched. */
export interface ChildIo {
  readonly watcher: StatusLineWatcher;
  readonly stderrTail: TailBuffer;
  /**
   * Settles once the process has exited, with how it ended and why when
   * its stderr said: at once, or, for a process that failed, when its
   * stderr has ended (at most {@linkcode FATAL_REPORT_WAIT_MS} later).
   */
  readonly status: Promise<WorkerExit>;
  /** Settles once the process has exited and its relays are done. */
  readonly finished: Promise<WorkerExit>;
  hasExited(): boolean;
  write(text: string): void;
  closeStdin(): Promise<void>;
  /** Sends `signal` to the process's group; nothing once it has exited. */
  signal(signal: Deno.Signal): void;
}

/** Starts watching `child`'s streams and exit; `group` is the group it leads. */
export function watchChild(
  child: Deno.ChildProcess,
  group: ProcessGroup,
  config: WorkerConfig,
  options: ChildOutputOptions,
): ChildIo {
  const watcher = new StatusLineWatcher(config.nonce);
  const stderrTail = new TailBuffer();
  const classifier = new ExitClassifier();
  const stdoutRelay = new OutputRelay(child.stdout, {
    label: config.id,
    sink: options.stdout ?? STDOUT_SINK,
    onLine: watcher.take,
  });
  const stderrRelay = new OutputRelay(child.stderr, {
    label: config.id,
    sink: options.stderr ?? STDERR_SINK,
    onLine: classifier.observe,
    tail: stderrTail,
  });
  stdoutRelay.done.then(() => watcher.end());

  const writer = child.stdin.getWriter();
  let writes: Promise<void> = Promise.resolve();
  let stdinClosed: Promise<void> | undefined;
  function closeStdin(): Promise<void> {
    stdinClosed ??= writes.then(() => writer.close()).catch(() => {});
    return stdinClosed;
  }

  let exited = false;
  const status = child.status.then(async (status): Promise<WorkerExit> => {
    exited = true;
    group.end();
    const { code, signal } = status;
    if (status.success) return { code, signal };
    if (!classifier.reported) {
      await withTimeout(stderrRelay.done, FATAL_REPORT_WAIT_MS);
    }
    const cause = classifier.classify({ code, signal });
    return cause === undefined ? { code, signal } : { code, signal, cause };
  });
  const finished = status.then(async (exit) => {
    await Promise.all([
      closeStdin(),
      drainRelays([stdoutRelay, stderrRelay], RELAY_DRAIN_MS),
    ]);
    return exit;
  });
  return {
    watcher,
    stderrTail,
    status,
    finished,
    hasExited: () => exited,
    write(text) {
      if (stdinClosed) return;
      writes = writes.then(() => writer.write(encoder.encode(text)))
        .catch(() => {});
    },
    closeStdin,
    signal(signal) {
      if (!exited) group.signal(signal);
    },
  };
}

/** Waits for the relays to end, and cuts short those still open after `graceMs`. */
async function drainRelays(
  relays: readonly OutputRelay[],
  graceMs: number,
): Promise<void> {
  const ended = Promise.all(relays.map((relay) => relay.done));
  if (await withTimeout(ended, graceMs) === TIMED_OUT) {
    await Promise.all(relays.map((relay) => relay.cancel()));
  }
}

/** True when the process exits (and its output ends) within `ms`. */
export async function exitsWithin(io: ChildIo, ms: number): Promise<boolean> {
  return await withTimeout(io.finished, ms) !== TIMED_OUT;
}
