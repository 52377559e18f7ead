/**
 * The caller's side of the nested calls one task makes: the `Call` frames
 * its worker sends among the task's responses, each relayed through the
 * pool as a call of its own, and the child's answers sent back to the
 * task as `CallReply` frames among its requests.
 *
 * - Only a task in flight on this conversation can call: the relay is
 *   made at the task's first Call frame and given those of one channel,
 *   from the task's Ack until its end (`ChannelEvents.relayCalls`; a task
 *   that never calls has no relay), over the pool's authenticated
 *   connection. The worker names the call; the pool gives the child its
 *   id, its `caller` (the parent's id) and its depth (the parent's + 1),
 *   whatever the frame says.
 * - Each child is dispatched like any call (the load balancer, every
 *   worker's admission, waiting for capacity), so it holds a permit and
 *   counts among the pool's calls in flight.
 * - A child that could not be dispatched (too deep, no worker took it, the
 *   pool closing) is answered with a Nack carrying why. Its answers are
 *   relayed as its worker sends them (its errors keep their class); a
 *   child lost with its worker is answered with the Exception the pool's
 *   own caller would get.
 * - The parent's end (it settled, was cancelled, or its worker was lost)
 *   aborts every child still running; so does the worker's Cancel.
 *
 * @module
 */
import type { CallHandler, ReplyChannel } from "../call/channel_events.ts";
import { ResponseEncoder } from "../wire/frame_codec.ts";
import type {
  Call,
  ResponseFrame,
  StatusFrame,
  StreamId,
  TaskFrame,
} from "../wire/frames.ts";
import { isTerminal, Status, statusFrame } from "../wire/status.ts";
import type { CallRun } from "./call_run.ts";

/** Starts one child call of a task; throws when it cannot start. */
export type StartChild = (task: TaskFrame) => CallRun;

/** Relays the nested calls of one task. */
export class NestedRelay implements CallHandler {
  readonly #channel: ReplyChannel;
  readonly #start: StartChild;
  readonly #maxMessageBytes: number;
  /** The children in flight, by the worker's call id; made at the first. */
  #children: Map<StreamId, CallRun> | undefined;
  #ended = false;

  /**
   * @param channel The parent task's channel: replies go out on it.
   * @param start Starts a child of the parent.
   * @param maxMessageBytes Largest error payload, in bytes, of a reply.
   */
  constructor(
    channel: ReplyChannel,
    start: StartChild,
    maxMessageBytes: number,
  ) {
    this.#channel = channel;
    this.#start = start;
    this.#maxMessageBytes = maxMessageBytes;
  }

  /** Children in flight. */
  get size(): number {
    return this.#children?.size ?? 0;
  }

  call(frame: Call): void {
    if (this.#ended) return;
    const id = frame.id ?? 0;
    if (frame.frame === "cancel") {
      this.#children?.get(id)?.abort(
        new DOMException("The task cancelled its nested call", "AbortError"),
      );
      return;
    }
    if (frame.frame !== "request") {
      return this.#replyStatus(
        id,
        "A Call frame must carry a request or a cancel",
      );
    }
    const request = frame.request;
    if (request.frame === "task") return this.#open(id, request.task);
    const child = this.#children?.get(id);
    // A step of a generator child; for a call that ended already (its
    // answer crossed the step on the wire), nothing.
    if (child) child.send(request);
  }

  parentEnded(): void {
    if (this.#ended) return;
    this.#ended = true;
    const children = this.#children;
    if (!children) return;
    const reason = new DOMException(
      "The task that made the nested call ended",
      "AbortError",
    );
    for (const child of [...children.values()]) child.abort(reason);
  }

  #open(id: StreamId, task: TaskFrame): void {
    const encoder = new ResponseEncoder(
      this.#maxMessageBytes,
      task.export ?? "",
    );
    if (this.#children?.has(id)) {
      return this.#replyStatus(id, `Nested call ${id} is already open`);
    }
    let run: CallRun;
    try {
      run = this.#start(task);
    } catch (error) {
      return this.#reply(id, encoder.nack(error));
    }
    (this.#children ??= new Map()).set(id, run);
    void this.#pump(id, run, encoder);
  }

  /** Relays the child's answers until it ends. */
  async #pump(
    id: StreamId,
    run: CallRun,
    encoder: ResponseEncoder,
  ): Promise<void> {
    try {
      let generator: boolean;
      try {
        ({ generator } = await run.accepted);
      } catch (error) {
        return this.#reply(id, encoder.nack(error));
      }
      const kind = generator ? "generator" : "coroutine";
      this.#reply(id, encoder.ack(kind));
      for (;;) {
        let event;
        try {
          event = await run.receive();
        } catch (error) {
          return this.#reply(id, encoder.exception(error));
        }
        if (event.kind === "frame") {
          this.#reply(id, event.frame);
          if (isTerminal(event.frame, kind)) return;
          continue;
        }
        if (event.status.code !== Status.OK) {
          this.#reply(id, encoder.exception(await run.lost(event.status)));
        }
        return;
      }
    } finally {
      this.#children?.delete(id);
      run.end();
    }
  }

  #reply(id: StreamId, response: ResponseFrame): void {
    this.#channel.send({
      frame: "callReply",
      callReply: { id, frame: "response", response },
    });
  }

  #replyStatus(id: StreamId, details: string): void {
    const status: StatusFrame = statusFrame(Status.INVALID_ARGUMENT, details);
    this.#channel.send({
      frame: "callReply",
      callReply: { id, frame: "status", status },
    });
  }
}
