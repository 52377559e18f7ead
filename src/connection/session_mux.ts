/**
 * The `Session` transport: many tasks multiplexed over one long-lived gRPC
 * bidi stream per worker connection. Every frame names its task's stream
 * id; a task ends at its terminal frame (a coroutine's Result, a Done, an
 * Exception or a Nack) or at a per-task Status frame, exactly where a
 * `Dispatch` stream would end.
 *
 * One stream per task costs a new HTTP/2 stream, headers and trailers for
 * every task; the session pays that once, which is what lets trivial tasks
 * run at several times the rate.
 *
 * @module
 */
import { IdTable } from "../_util/id_table.ts";
import { type BidiCall, openBidiCall } from "./bidi_call.ts";
import type { grpc } from "../wire/grpc.ts";
import type {
  RequestFrame,
  SessionRequestFrame,
  SessionRequests,
  SessionResponseFrame,
  SessionResponses,
  StatusFrame,
  TaskFrame,
} from "../wire/frames.ts";
import { FrameBatcher, payloadBytes } from "../wire/frame_batcher.ts";
import {
  CANCELLED_STATUS,
  markDeliveryUnknown,
  Status,
  statusFrame,
} from "../wire/status.ts";
import {
  type CallRelay,
  type ChannelEvent,
  ChannelEvents,
  type TaskChannel,
} from "./task_channel.ts";

const OK_STATUS: StatusFrame = statusFrame(Status.OK, "");
const NO_FRAME_STATUS: StatusFrame = statusFrame(
  Status.INTERNAL,
  "The worker sent a Session frame with neither a response nor a status",
);

interface SessionStream {
  readonly call: BidiCall<SessionRequests>;
  /** The tasks in flight, by stream id (an IdTable: see why there). */
  readonly tasks: IdTable<SessionChannel>;
  /** Frames written in one turn of the event loop go out as one message. */
  readonly outbox: FrameBatcher<SessionRequestFrame>;
  /**
   * True once the worker's response headers arrived: it serves this
   * stream, so a task sent on it may have run when the stream breaks.
   */
  established: boolean;
}

/** The body of every Cancel frame: it has no fields. */
const CANCEL: Record<string, never> = Object.freeze({});

/**
 * One task's channel on a session stream: the events routed to it, and the
 * frames it sends, which name its stream id.
 */
class SessionChannel extends ChannelEvents implements TaskChannel {
  readonly #session: SessionStream;
  readonly #stream: number;

  constructor(session: SessionStream, stream: number) {
    super();
    this.#session = session;
    this.#stream = stream;
  }

  send(request: RequestFrame): void {
    if (this.ended) return;
    this.#session.outbox.push({
      stream: this.#stream,
      frame: "request",
      request,
    });
  }

  receive(): Promise<ChannelEvent> {
    return this.next();
  }

  override relayCalls(relay: CallRelay, parent: TaskFrame): void {
    super.relayCalls(relay, parent, this);
  }

  cancel(): void {
    if (this.ended) return;
    this.#session.tasks.delete(this.#stream);
    this.pushEnd(CANCELLED_STATUS);
    this.#session.outbox.push({
      stream: this.#stream,
      frame: "cancel",
      cancel: CANCEL,
    });
  }
}

/** Multiplexes task channels over `Session` streams of one client. */
export class SessionMux {
  readonly #client: grpc.Client;
  readonly #method: grpc.MethodDefinition<SessionRequests, SessionResponses>;
  #current: SessionStream | undefined;
  #nextStream = 1;

  readonly #maxBatchBytes: number;
  readonly #credential: () => grpc.Metadata;

  /**
   * @param maxBatchBytes The largest message the connection may send: a
   * batch of frames is flushed before it would grow past it.
   * @param credential The metadata each new Session stream presents.
   */
  constructor(
    client: grpc.Client,
    method: grpc.MethodDefinition<SessionRequests, SessionResponses>,
    maxBatchBytes: number,
    credential: () => grpc.Metadata,
  ) {
    this.#client = client;
    this.#method = method;
    this.#maxBatchBytes = maxBatchBytes;
    this.#credential = credential;
  }

  /** Opens a task channel on the current session stream. */
  open(): TaskChannel {
    const session = this.#current ??= this.#openStream();
    const stream = this.#nextStream++;
    const task = new SessionChannel(session, stream);
    session.tasks.set(stream, task);
    return task;
  }

  /**
   * Ends the session stream; open tasks end with `CANCELLED`, marked
   * delivery unknown when the worker served the stream (the pool closes it
   * when its worker died or was evicted: a task sent on it may have run).
   */
  close(): void {
    const current = this.#current;
    this.#current = undefined;
    if (!current) return;
    failAll(
      current.tasks,
      current.established
        ? markDeliveryUnknown(CANCELLED_STATUS)
        : CANCELLED_STATUS,
    );
    current.call.cancel();
  }

  #openStream(): SessionStream {
    const tasks = new IdTable<SessionChannel>();
    // grpc-js reports headers, messages and the status on later ticks, so
    // `session` is set by the time any of these run.
    const session: SessionStream = {
      call: openBidiCall(this.#client, this.#method, this.#credential(), {
        onMetadata: () => {
          session.established = true;
        },
        onMessage: (message) => {
          for (const frame of message.frames) route(tasks, frame);
        },
        onStatus: (status) => {
          if (this.#current === session) this.#current = undefined;
          const ended = statusFrame(
            status.code === Status.OK ? Status.UNAVAILABLE : status.code,
            status.details || "The session stream ended",
          );
          failAll(
            tasks,
            session.established ? markDeliveryUnknown(ended) : ended,
          );
        },
      }),
      tasks,
      outbox: new FrameBatcher<SessionRequestFrame>(
        (frames) => {
          if (this.#current === session) session.call.write({ frames });
        },
        payloadBytes,
        this.#maxBatchBytes,
        () => tasks.size <= 1,
      ),
      established: false,
    };
    return session;
  }
}

function route(
  tasks: IdTable<SessionChannel>,
  message: SessionResponseFrame,
): void {
  const task = tasks.get(message.stream);
  if (!task) return;
  if (message.frame !== "response") {
    tasks.delete(message.stream);
    task.pushEnd(
      message.frame === "status" ? message.status : NO_FRAME_STATUS,
    );
    return;
  }
  task.pushFrame(message.response);
  if (task.finished) {
    tasks.delete(message.stream);
    task.pushEnd(OK_STATUS);
  }
}

function failAll(
  tasks: IdTable<SessionChannel>,
  status: StatusFrame,
): void {
  const open = tasks.values();
  tasks.clear();
  for (const task of open) task.pushEnd(status);
}
