/**
 * The nested calls one running task makes, on the worker's side: each is a
 * sub-conversation inside the task's own, named by an id the worker picks
 * (from 1). Its frames go to the caller as `Call` frames among the task's
 * responses; the caller's `CallReply` frames come back among its requests
 * and are routed here by id.
 *
 * ```
 * worker → caller   Call { id, Task }            opens the call
 *                   Call { id, Next|Send|… }     one step of a generator child
 *                   Call { id, Cancel }          the task gave up on it
 * caller → worker   CallReply { id, Response }   Ack, Result, Exception, Done, or a
 *                                                Nack when it could not be dispatched
 *                   CallReply { id, Status }     it ended without a terminal frame
 * ```
 *
 * A task's code may call as soon as it runs, before its Ack is sent: such
 * Call frames are held until the Ack has gone, since the caller takes
 * nested calls only from a task in flight. When the task's conversation
 * ends, every call it left open ends too (the caller cancels them on its
 * side as well).
 *
 * @module
 */
import type { Accepted, CallDriver } from "../call/call_driver.ts";
import { type ChannelEvent, ChannelEvents } from "../call/channel_events.ts";
import { decodeError } from "../wire/errors.ts";
import type {
  CallReply,
  RequestFrame,
  ResponseFrame,
  StatusFrame,
  StreamId,
  TaskFrame,
} from "../wire/frames.ts";
import { ProtocolError } from "../wire/protocol_error.ts";
import { CANCELLED_STATUS, Status, statusFrame } from "../wire/status.ts";

const OK_STATUS: StatusFrame = statusFrame(Status.OK, "");
/** What a Call frame carries beside its id. */
type CallBody =
  | { readonly frame: "request"; readonly request: RequestFrame }
  | { readonly frame: "cancel"; readonly cancel: Record<string, never> };

/** The body of every Cancel frame: it has no fields. */
const CANCEL: Record<string, never> = Object.freeze({});

/** The nested calls of one task. */
export class NestedCalls {
  readonly #send: (frame: ResponseFrame) => void;
  readonly #maxMessageBytes: number;
  readonly #runs = new Map<StreamId, NestedRun>();
  /** Call frames made before the task's Ack went out; then undefined. */
  #held: ResponseFrame[] | undefined = [];
  #nextId = 1;
  /** Why the task's conversation ended, once it has. */
  #ended: { readonly reason: unknown } | undefined;

  /**
   * @param send Sends a response frame of the task (nothing once it ended).
   * @param maxMessageBytes Largest value, in bytes, sent into a generator child.
   */
  constructor(send: (frame: ResponseFrame) => void, maxMessageBytes: number) {
    this.#send = send;
    this.#maxMessageBytes = maxMessageBytes;
  }

  /** Calls in flight. */
  get size(): number {
    return this.#runs.size;
  }

  /** The task's Ack went out: the calls it made meanwhile go now. */
  acked(): void {
    const held = this.#held;
    this.#held = undefined;
    for (const frame of held ?? []) this.#send(frame);
  }

  /**
   * Opens a call of `task` (its `id` is the caller's to give), cancelled
   * when `signal` aborts.
   */
  open(task: TaskFrame, signal: AbortSignal): NestedRun {
    const id = this.#nextId++;
    const run = new NestedRun(this, id, signal, this.#maxMessageBytes);
    if (this.#ended) {
      run.parentEnded(this.#ended.reason);
      return run;
    }
    this.#runs.set(id, run);
    this.emit(id, { frame: "request", request: { frame: "task", task } });
    run.watch();
    return run;
  }

  /** Routes one reply of the caller to its call; a reply for no open call is dropped. */
  deliver(reply: CallReply): void {
    this.#runs.get(reply.id ?? 0)?.reply(reply);
  }

  /** The task's conversation ended: every call it left open ends with `reason`. */
  parentEnded(reason: unknown): void {
    if (this.#ended) return;
    this.#ended = { reason };
    const open = [...this.#runs.values()];
    this.#runs.clear();
    for (const run of open) run.parentEnded(reason);
  }

  /** Sends a Call frame of call `id`, or holds it until the Ack has gone. */
  emit(id: number, frame: CallBody): void {
    if (this.#ended) return;
    const response: ResponseFrame = { frame: "call", call: { id, ...frame } };
    if (this.#held) this.#held.push(response);
    else this.#send(response);
  }

  /** Call `id` ended: it is routed no more replies. */
  forget(id: number): void {
    this.#runs.delete(id);
  }
}

/**
 * One nested call, as its handle (`RemoteCall`) drives it: the answers of
 * the child as the caller relays them.
 */
export class NestedRun implements CallDriver {
  readonly accepted: Promise<Accepted>;
  readonly maxMessageBytes: number;
  readonly #calls: NestedCalls;
  readonly #id: number;
  readonly #signal: AbortSignal;
  readonly #events = new ChannelEvents();
  readonly #onAbort = () => this.#stop(this.#signal.reason, true);
  #generator = false;
  #ended = false;
  /** Why the call was stopped on this side, once it was. */
  #stopped: { readonly reason: unknown } | undefined;

  constructor(
    calls: NestedCalls,
    id: number,
    signal: AbortSignal,
    maxMessageBytes: number,
  ) {
    this.#calls = calls;
    this.#id = id;
    this.#signal = signal;
    this.maxMessageBytes = maxMessageBytes;
    this.accepted = this.#readAck();
  }

  get generator(): boolean {
    return this.#generator;
  }

  /** Starts watching the call's signal (once it is open). */
  watch(): void {
    if (this.#signal.aborted) this.#onAbort();
    else this.#signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  send(frame: RequestFrame): void {
    if (this.#events.ended) return;
    this.#calls.emit(this.#id, { frame: "request", request: frame });
  }

  async receive(): Promise<ChannelEvent> {
    const event = await this.#events.next();
    if (this.#stopped) throw this.#stopped.reason;
    return event;
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#signal.removeEventListener("abort", this.#onAbort);
    if (!this.#events.ended && !this.#events.finished) {
      this.#calls.emit(this.#id, { frame: "cancel", cancel: CANCEL });
    }
    this.#events.pushEnd(CANCELLED_STATUS);
    this.#calls.forget(this.#id);
  }

  /** Ends the call; a nested call's telemetry is the pool's, which relays it. */
  fail(_error: unknown): void {
    this.end();
  }

  abandon(): void {
    if (this.#generator) this.end();
  }

  lost(status: StatusFrame): Promise<Error> {
    if (this.#stopped) return Promise.resolve(asError(this.#stopped.reason));
    return Promise.resolve(
      new ProtocolError(
        `The pool ended the nested call without an answer: ${
          status.details || `status ${status.code}`
        }`,
      ),
    );
  }

  /** One reply of the caller. */
  reply(reply: CallReply): void {
    if (reply.frame === "response") {
      this.#events.pushFrame(reply.response);
      if (this.#events.finished) this.#finish(OK_STATUS);
    } else if (reply.frame === "status") {
      this.#finish(reply.status);
    } else {
      this.#finish(statusFrame(
        Status.INTERNAL,
        "The pool sent a CallReply with neither a response nor a status",
      ));
    }
  }

  /** The parent task's conversation ended. */
  parentEnded(reason: unknown): void {
    this.#stop(reason, false);
  }

  /** Stops the call on this side with `reason`; tells the caller when `tell`. */
  #stop(reason: unknown, tell: boolean): void {
    if (this.#stopped || this.#events.ended) return;
    this.#stopped = { reason };
    if (tell) this.end();
    else {
      this.#ended = true;
      this.#signal.removeEventListener("abort", this.#onAbort);
      this.#events.pushEnd(CANCELLED_STATUS);
    }
  }

  #finish(status: StatusFrame): void {
    this.#events.pushEnd(status);
    this.#calls.forget(this.#id);
  }

  async #readAck(): Promise<Accepted> {
    try {
      const event = await this.receive();
      if (event.kind === "end") throw await this.lost(event.status);
      const frame = event.frame;
      if (frame.frame === "ack") {
        this.#generator = frame.ack.generator ?? false;
        return { generator: this.#generator };
      }
      if (frame.frame === "nack") throw decodeError(frame.nack.error);
      throw new ProtocolError(
        `The pool answered a nested call with "${frame.frame}" before any Ack`,
      );
    } catch (error) {
      this.end();
      throw error;
    }
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error
    ? reason
    : new DOMException(String(reason), "AbortError");
}
