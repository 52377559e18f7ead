/**
 * One task's conversation with a worker, as the caller sees it, whatever
 * the transport: frames go out with `send`, and `receive` yields the
 * worker's frames and finally the task's end status.
 *
 * @module
 */
import type {
  RequestFrame,
  ResponseFrame,
  StatusFrame,
} from "../wire/frames.ts";
import { isTerminal, kindOfAck, type TaskKind } from "../wire/status.ts";

/** What a task channel delivers: a frame, or the end of the task. */
export type ChannelEvent =
  | { readonly kind: "frame"; readonly frame: ResponseFrame }
  | { readonly kind: "end"; readonly status: StatusFrame };

/** One task's conversation with one worker. */
export interface TaskChannel {
  /** Sends a frame to the worker. */
  send(frame: RequestFrame): void;
  /** The next event; after the end, the end again. */
  receive(): Promise<ChannelEvent>;
  /** Abandons the task: the worker aborts it. Idempotent. */
  cancel(): void;
}

/**
 * A buffer of channel events with one reader: transports push, the task
 * pulls.
 */
export class ChannelEvents {
  /** Events not read yet; made when the first one waits. */
  #buffered: ChannelEvent[] | undefined;
  #waiting: ((event: ChannelEvent) => void) | undefined;
  #end: ChannelEvent | undefined;
  #kind: TaskKind = "coroutine";
  #finished = false;

  /** True once the end was pushed. */
  get ended(): boolean {
    return this.#end !== undefined;
  }

  /**
   * True once the task's terminal frame arrived (a coroutine's Result, a
   * Done, an Exception or a Nack): the worker ends the task by itself, and
   * cancelling it would only reset a finished stream.
   */
  get finished(): boolean {
    return this.#finished;
  }

  /** Delivers a frame, unless the channel has ended. */
  pushFrame(frame: ResponseFrame): void {
    if (this.#end) return;
    if (frame.frame === "ack") this.#kind = kindOfAck(frame.ack);
    else if (isTerminal(frame, this.#kind)) this.#finished = true;
    this.#deliver({ kind: "frame", frame });
  }

  /** Delivers the end; later pushes are ignored. */
  pushEnd(status: StatusFrame): void {
    if (this.#end) return;
    this.#end = { kind: "end", status };
    this.#deliver(this.#end);
  }

  /** The next event. */
  next(): Promise<ChannelEvent> {
    const event = this.#buffered?.shift();
    if (event) return Promise.resolve(event);
    if (this.#end) return Promise.resolve(this.#end);
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  #deliver(event: ChannelEvent): void {
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = undefined;
      waiting(event);
      return;
    }
    (this.#buffered ??= []).push(event);
  }
}
