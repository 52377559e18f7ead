/**
 * The life of one call inside the pool: its dispatch, its cancellation
 * (the caller's signal, its timeout, the pool closing), its channel after
 * the Ack, and its end, which gives back the connection's permit exactly
 * once.
 *
 * @module
 */
import type { ChannelEvent } from "../connection/task_channel.ts";
import type { RequestFrame, StatusFrame } from "../wire/frames.ts";
import { statusName } from "../wire/status.ts";
import type { Accepted } from "./dispatcher.ts";
import { DispatchTimeout, WorkerCrashed } from "./errors.ts";
import type { WorkerEntry, WorkerExit } from "./roster.ts";

/** How long a call whose connection broke waits to learn the worker died. */
const CRASH_REPORT_WAIT_MS = 1000;

/** What starts and ends a call. */
export interface CallRunOptions {
  /** The caller's signal, if any. */
  readonly signal?: AbortSignal;
  /** The call's time budget in milliseconds, if any. */
  readonly timeoutMs?: number;
  /** Finds a worker that accepts the task. */
  readonly dispatch: (signal: AbortSignal) => Promise<Accepted>;
  /** Called once when the call has ended, however it ended. */
  readonly onEnd: (run: CallRun) => void;
  /**
   * Largest value, in bytes, the caller sends into a running generator
   * (with `next(v)`, `throw(e)` or `return(v)`).
   * @default {Infinity}
   */
  readonly maxMessageBytes?: number;
}

/** One call in flight. */
export class CallRun {
  /** Resolves when a worker accepted the task. */
  readonly accepted: Promise<Accepted>;
  /** Largest value, in bytes, the caller sends into a running generator. */
  readonly maxMessageBytes: number;
  readonly #controller = new AbortController();
  readonly #onEnd: (run: CallRun) => void;
  readonly #userSignal: AbortSignal | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #current: Accepted | undefined;
  #ended = false;

  constructor(options: CallRunOptions) {
    this.#onEnd = options.onEnd;
    this.maxMessageBytes = options.maxMessageBytes ?? Infinity;
    this.#userSignal = options.signal;
    if (options.signal) {
      if (options.signal.aborted) this.#controller.abort(options.signal.reason);
      else {options.signal.addEventListener("abort", this.#onUserAbort, {
          once: true,
        });}
    }
    if (options.timeoutMs !== undefined) {
      const timeoutMs = options.timeoutMs;
      this.#timer = setTimeout(
        () => this.abort(new DispatchTimeout(timeoutMs)),
        timeoutMs,
      );
    }
    this.accepted = this.#start(options.dispatch);
    this.accepted.catch(() => {});
  }

  /** The signal that aborts when the call is cancelled, for any reason. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once the call has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Cancels the call: pending steps reject with `reason`. */
  abort(reason: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason);
    this.#current?.channel.cancel();
  }

  /**
   * Nothing can drive this call any more: a generator's run ends (its
   * remote generator is closed); a coroutine's runs on to its result.
   */
  abandon(): void {
    if (this.#current?.generator) this.end();
  }

  /** Sends a frame on the accepted channel. */
  send(frame: RequestFrame): void {
    this.#current?.channel.send(frame);
  }

  /** The next event of the accepted channel; rejects once cancelled. */
  async receive(): Promise<ChannelEvent> {
    const accepted = await this.accepted;
    const event = await accepted.channel.receive();
    if (this.#controller.signal.aborted) throw this.#controller.signal.reason;
    return event;
  }

  /** Ends the call: releases its permit and timers. Idempotent. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    this.#userSignal?.removeEventListener("abort", this.#onUserAbort);
    if (this.#current) {
      this.#current.channel.cancel();
      this.#current.permit.release();
    }
    this.#onEnd(this);
  }

  /**
   * The error for a channel that ended without finishing the task: the
   * worker crashed, or its connection broke.
   */
  async lost(status: StatusFrame): Promise<Error> {
    return await workerLost((await this.accepted).worker, status);
  }

  async #start(dispatch: CallRunOptions["dispatch"]): Promise<Accepted> {
    try {
      if (this.#controller.signal.aborted) throw this.#controller.signal.reason;
      const accepted = await dispatch(this.#controller.signal);
      this.#current = accepted;
      if (this.#controller.signal.aborted) {
        accepted.channel.cancel();
        throw this.#controller.signal.reason;
      }
      return accepted;
    } catch (error) {
      this.end();
      throw error;
    }
  }

  readonly #onUserAbort = () => this.abort(this.#userSignal!.reason);
}

/**
 * The error for a task whose worker stopped answering: `WorkerCrashed`
 * with how the process ended, once it is known (or `null`s when it is
 * still alive a second later and only the connection broke).
 */
export async function workerLost(
  worker: WorkerEntry,
  status: StatusFrame,
): Promise<WorkerCrashed> {
  const exit = await waitForExit(worker, CRASH_REPORT_WAIT_MS);
  const statusError = new Error(
    `${statusName(status.code)}: ${status.details}`,
  );
  return new WorkerCrashed({
    workerId: worker.info.id,
    pid: worker.info.pid,
    exitCode: exit && exit.signal === null ? exit.code : null,
    signal: exit?.signal ?? null,
    ...(exit?.reason === undefined ? {} : { reason: exit.reason }),
  }, { cause: statusError });
}

function waitForExit(
  worker: WorkerEntry,
  timeoutMs: number,
): Promise<WorkerExit | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  return Promise.race([worker.exited, timeout]).finally(() =>
    clearTimeout(timer)
  );
}
