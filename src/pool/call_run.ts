/**
 * The life of one call inside the pool: its dispatch, its cancellation
 * (the caller's signal, its timeout, the pool closing), the lease on its
 * worker once a worker accepted it, and its end, which releases that lease
 * exactly once.
 *
 * @module
 */
import type { ChannelEvent, TaskChannel } from "../connection/task_channel.ts";
import { NoWorkersAvailable } from "../loadbalancer/errors.ts";
import {
  type CallOutcome,
  type CallTelemetry,
  NOOP_CALL_TELEMETRY,
} from "../telemetry/call_telemetry.ts";
import type { RequestFrame, StatusFrame } from "../wire/frames.ts";
import { DispatchTimeout, workerLost } from "./errors.ts";
import type { DispatchCancel } from "./dispatcher.ts";
import type { Lease } from "./lease.ts";

/** What starts and ends a call. */
export interface CallRunOptions {
  /** The caller's signal, if any. */
  readonly signal?: AbortSignal;
  /** The call's time budget in milliseconds, if any. */
  readonly timeoutMs?: number;
  /**
   * Finds a worker that accepts the task, and leases it; `cancel` is the
   * run itself.
   */
  readonly dispatch: (cancel: DispatchCancel) => Promise<Lease>;
  /** Called once when the call has ended, however it ended. */
  readonly onEnd: (run: CallRun) => void;
  /**
   * Largest value, in bytes, the caller sends into a running generator
   * (with `next(v)`, `throw(e)` or `return(v)`).
   * @default {Infinity}
   */
  readonly maxMessageBytes?: number;
  /**
   * The call's span and metrics; ended with the call's outcome.
   * @default {NOOP_CALL_TELEMETRY}
   */
  readonly telemetry?: CallTelemetry;
}

/** One call in flight. */
export class CallRun implements DispatchCancel {
  /**
   * Resolves with the lease once a worker accepted the task. The call's
   * handle (`call.ts`) observes it as soon as the run starts, so a
   * rejection is never left unhandled.
   */
  readonly accepted: Promise<Lease>;
  /** Largest value, in bytes, the caller sends into a running generator. */
  readonly maxMessageBytes: number;
  /** The channel of the dispatch attempt in flight (the dispatcher's). */
  attempt: TaskChannel | undefined;
  readonly #controller = new AbortController();
  readonly #onEnd: (run: CallRun) => void;
  readonly #telemetry: CallTelemetry;
  /** The caller's signal and the listener on it, when it gave one. */
  #userAbort: { signal: AbortSignal; listener: () => void } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lease: Lease | undefined;
  #ended = false;

  constructor(options: CallRunOptions) {
    this.#onEnd = options.onEnd;
    this.#telemetry = options.telemetry ?? NOOP_CALL_TELEMETRY;
    this.maxMessageBytes = options.maxMessageBytes ?? Infinity;
    const { signal, timeoutMs } = options;
    if (signal?.aborted) this.#controller.abort(signal.reason);
    else if (signal) {
      const listener = () => this.abort(signal.reason);
      signal.addEventListener("abort", listener, { once: true });
      this.#userAbort = { signal, listener };
    }
    if (timeoutMs !== undefined) {
      this.#timer = setTimeout(
        () => this.abort(new DispatchTimeout(timeoutMs)),
        timeoutMs,
      );
    }
    const own = this.#controller.signal;
    if (own.aborted) {
      this.accepted = Promise.reject(own.reason);
      this.fail(own.reason);
    } else {
      this.accepted = options.dispatch(this).then(
        (lease) => this.#leased(lease),
        (error) => {
          this.fail(error);
          throw error;
        },
      );
    }
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

  /**
   * Cancels the call: pending steps reject with `reason`, and its channel,
   * the lease's or the attempt's in flight, is cancelled.
   */
  abort(reason: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason);
    this.#lease?.channel.cancel();
    this.attempt?.cancel();
  }

  /**
   * Nothing can drive this call any more: a generator's run ends (its
   * remote generator is closed); a coroutine's runs on to its result.
   */
  abandon(): void {
    if (!this.#lease?.generator || this.#ended) return;
    this.#telemetry.end("cancelled");
    this.#close();
  }

  /** Sends a frame on the accepted channel. */
  send(frame: RequestFrame): void {
    this.#lease?.channel.send(frame);
  }

  /** The next event of the accepted channel; rejects once cancelled. */
  receive(): Promise<ChannelEvent> {
    const lease = this.#lease;
    if (lease === undefined) return this.accepted.then(() => this.receive());
    return lease.channel.receive().then((event) => {
      if (this.#controller.signal.aborted) throw this.#controller.signal.reason;
      return event;
    });
  }

  /** Ends the call: releases its lease and timers. Idempotent. */
  end(): void {
    if (this.#ended) return;
    this.#telemetry.end("ok");
    this.#close();
  }

  /**
   * Ends the call with `error` as its outcome (what the caller sees):
   * releases its lease and timers. Idempotent; the first end counts.
   */
  fail(error: unknown): void {
    if (this.#ended) return;
    this.#telemetry.end(this.#outcomeOf(error), error);
    this.#close();
  }

  #outcomeOf(error: unknown): CallOutcome {
    if (error instanceof DispatchTimeout) return "timeout";
    const signal = this.#controller.signal;
    if (signal.aborted && error === signal.reason) return "cancelled";
    if (error instanceof NoWorkersAvailable) return "rejected";
    return "error";
  }

  #close(): void {
    this.#ended = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#userAbort) {
      this.#userAbort.signal.removeEventListener(
        "abort",
        this.#userAbort.listener,
      );
    }
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

  /** A worker accepted the task: keep the lease, unless the call was cancelled meanwhile. */
  #leased(lease: Lease): Lease {
    this.#lease = lease;
    if (this.#controller.signal.aborted) {
      lease.channel.cancel();
      this.fail(this.#controller.signal.reason);
      throw this.#controller.signal.reason;
    }
    return lease;
  }
}
