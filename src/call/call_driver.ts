/**
 * What a call's handle ({@linkcode RemoteCall}) drives: one call's
 * conversation, whoever carries it. The pool's `CallRun` carries a call
 * from the caller to a worker; a worker's nested run carries a call a task
 * makes through its parent's conversation back to the pool. The handle —
 * awaiting a coroutine, iterating a generator — is the same for both.
 *
 * @module
 */
import type { RequestFrame, StatusFrame } from "../wire/frames.ts";
import type { ChannelEvent } from "./channel_events.ts";

/** A call's acceptance: what its Ack said. */
export interface Accepted {
  /** True when the task is a generator. */
  readonly generator: boolean;
}

/** One call in flight, as its handle drives it. */
export interface CallDriver {
  /**
   * Resolves once a worker accepted the task (its Ack); rejects with the
   * reason the call failed before that.
   */
  readonly accepted: Promise<Accepted>;
  /** True when the accepted task is a generator. */
  readonly generator: boolean;
  /** Largest value, in bytes, sent into a running generator. */
  readonly maxMessageBytes: number;
  /** Sends a frame (a generator's step) to the task. */
  send(frame: RequestFrame): void;
  /** The next event after the Ack; rejects once the call was cancelled. */
  receive(): Promise<ChannelEvent>;
  /** Ends the call, cancelling the task unless it finished. Idempotent. */
  end(): void;
  /**
   * Ends the call as {@linkcode end} does, `error` being what its caller
   * saw (for the call's telemetry). Idempotent; the first end counts.
   */
  fail(error: unknown): void;
  /** Nothing can drive the call any more: a generator's run ends. */
  abandon(): void;
  /** The error for a conversation that ended without finishing the task. */
  lost(status: StatusFrame): Promise<Error>;
}
