/**
 * What one task's conversation delivers to the side that made the call —
 * the worker's frames, then one end status — buffered for a single reader.
 * The caller's transports (`connection/`) push into it; so does a task in a
 * worker reading the answers to a nested call it made.
 *
 * A parent task's conversation also carries the nested calls its task
 * makes (`Call` frames). The {@linkcode CallRelay} given to
 * {@linkcode ChannelEvents.relayCalls} makes the task's
 * {@linkcode CallHandler} at its first Call frame, and the handler takes
 * them, only while the task is in flight: from its Ack until its end. A
 * Call frame before the Ack is delivered as a frame, which the reader
 * refuses as out of turn; after the end, nothing is delivered at all. A
 * task that never calls (most tasks) costs its channel no handler: a
 * handler per dispatch attempt was a measurable share of a sequential
 * call.
 *
 * @module
 */
import type {
  Call,
  RequestFrame,
  ResponseFrame,
  StatusFrame,
  TaskFrame,
} from "../wire/frames.ts";
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

/** Where the answers to a task's nested calls go: its own conversation. */
export interface ReplyChannel {
  /** Sends a frame to the task's worker. */
  send(frame: RequestFrame): void;
}

/**
 * Makes the {@linkcode CallHandler} of a task at its first nested call:
 * one relay serves every task of a pool.
 */
export interface CallRelay {
  /**
   * The handler of the nested calls of the task `parent`, whose replies go
   * out on `channel`.
   */
  handlerFor(parent: TaskFrame, channel: ReplyChannel): CallHandler;
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
  /** Makes the task's handler at its first Call frame; set with the next two. */
  #relay: CallRelay | undefined;
  #parent: TaskFrame | undefined;
  #replyTo: ReplyChannel | undefined;
  /** The task's handler, from its first Call frame. */
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
   * Hands the nested calls of the task `parent` to the handler `relay`
   * makes at the first of them, from the task's Ack on (replies go out on
   * `replyTo`); the handler is told when the task ends.
   */
  relayCalls(
    relay: CallRelay,
    parent: TaskFrame,
    replyTo: ReplyChannel,
  ): void {
    this.#relay = relay;
    this.#parent = parent;
    this.#replyTo = replyTo;
  }

  /** Delivers a frame, unless the channel has ended. */
  pushFrame(frame: ResponseFrame): void {
    if (this.#end) return;
    if (frame.frame === "call" && this.#acked && this.#relay) {
      this.#calls ??= this.#relay.handlerFor(this.#parent!, this.#replyTo!);
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
