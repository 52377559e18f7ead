/**
 * The life of one call inside the pool: its dispatch, its cancellation
 * (the caller's signal, its timeout, the pool closing), the lease on its
 * worker once a worker accepted it, and its end, which releases that lease
 * exactly once.
 *
 * @module
 */
import type { ChannelEvent } from "../connection/task_channel.ts";
import type { RequestFrame, StatusFrame } from "../wire/frames.ts";
import { DispatchTimeout, workerLost } from "./errors.ts";
import type { Lease } from "./lease.ts";

/** What starts and ends a call. */
export interface CallRunOptions {
  /** The caller's signal, if any. */
  readonly signal?: AbortSignal;
  /** The call's time budget in milliseconds, if any. */
  readonly timeoutMs?: number;
  /** Finds a worker that accepts the task, and leases it. */
  readonly dispatch: (signal: AbortSignal) => Promise<Lease>;
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
  /** Resolves with the lease once a worker accepted the task. */
  readonly accepted: Promise<Lease>;
  /** Largest value, in bytes, the caller sends into a running generator. */
  readonly maxMessageBytes: number;
  readonly #controller = new AbortController();
  readonly #onEnd: (run: CallRun) => void;
  readonly #userSignal: AbortSignal | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lease: Lease | undefined;
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

  /** True when the accepted task is a generator. */
  get generator(): boolean {
    return this.#lease?.generator ?? false;
  }

  /** Cancels the call: pending steps reject with `reason`. */
  abort(reason: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason);
    this.#lease?.channel.cancel();
  }

  /**
   * Nothing can drive this call any more: a generator's run ends (its
   * remote generator is closed); a coroutine's runs on to its result.
   */
  abandon(): void {
    if (this.#lease?.generator) this.end();
  }

  /** Sends a frame on the accepted channel. */
  send(frame: RequestFrame): void {
    this.#lease?.channel.send(frame);
  }

  /** The next event of the accepted channel; rejects once cancelled. */
  async receive(): Promise<ChannelEvent> {
    const lease = await this.accepted;
    const event = await lease.channel.receive();
    if (this.#controller.signal.aborted) throw this.#controller.signal.reason;
    return event;
  }

  /** Ends the call: releases its lease and timers. Idempotent. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    this.#userSignal?.removeEventListener("abort", this.#onUserAbort);
    this.#lease?.release();
    this.#onEnd(this);
  }

  /**
   * The error for a channel that ended without finishing the task: the
   * worker crashed, or its connection broke.
   */
  async lost(status: StatusFrame): Promise<Error> {
    return await workerLost((await this.accepted).worker, status);
  }

  async #start(dispatch: CallRunOptions["dispatch"]): Promise<Lease> {
    try {
      if (this.#controller.signal.aborted) throw this.#controller.signal.reason;
      const lease = await dispatch(this.#controller.signal);
      this.#lease = lease;
      if (this.#controller.signal.aborted) {
        lease.channel.cancel();
        throw this.#controller.signal.reason;
      }
      return lease;
    } catch (error) {
      this.end();
      throw error;
    }
  }

  readonly #onUserAbort = () => this.abort(this.#userSignal!.reason);
}
