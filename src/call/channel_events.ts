/**
 * What one task's conversation delivers to the side that made the call —
 * the worker's frames, then one end status — buffered for a single reader.
 * The caller's transports (`connection/`) push into it; so does a task in a
 * worker reading the answers to a nested call it made.
 *
 * A parent task's conversation also carries the nested calls its task
 * makes (`Call` frames). A {@linkcode CallHandler} given to
 * {@linkcode ChannelEvents.relayCalls} takes them, and only while the task
 * is in flight: from its Ack until its end. A Call frame before the Ack is
 * delivered as a frame, which the reader refuses as out of turn; after the
 * end, nothing is delivered at all.
 *
 * @module
 */
import type { Call, ResponseFrame, StatusFrame } from "../wire/frames.ts";
import { isTerminal, kindOfAck, type TaskKind } from "../wire/task_grammar.ts";

/** What a task channel delivers: a frame, or the end of the task. */
export type ChannelEvent =
  | { readonly kind: "frame"; readonly frame: ResponseFrame }
  | { readonly kind: "end"; readonly status: StatusFrame };

/** Takes the nested calls a task makes over its own conversation. */
export interface CallHandler {
  /** One Call frame of the task, received while it is in flight. */
  call(frame: Call): void;
  /** The task's conversation ended: its nested calls end with it. */
  parentEnded(): void;
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
  #acked = false;
  #finished = false;
  #calls: CallHandler | undefined;

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

  /**
   * Hands the task's nested calls to `handler` from its Ack on, and tells
   * it when the task ends (at once, when it has ended already).
   */
  relayCalls(handler: CallHandler): void {
    this.#calls = handler;
    if (this.#end) handler.parentEnded();
  }

  /** Delivers a frame, unless the channel has ended. */
  pushFrame(frame: ResponseFrame): void {
    if (this.#end) return;
    if (frame.frame === "call" && this.#acked && this.#calls) {
      this.#calls.call(frame.call);
      return;
    }
    if (frame.frame === "ack") {
      this.#kind = kindOfAck(frame.ack);
      this.#acked = true;
    } else if (isTerminal(frame, this.#kind)) this.#finished = true;
    this.#deliver({ kind: "frame", frame });
  }

  /** Delivers the end; later pushes are ignored. */
  pushEnd(status: StatusFrame): void {
    if (this.#end) return;
    this.#end = { kind: "end", status };
    this.#deliver(this.#end);
    this.#calls?.parentEnded();
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
