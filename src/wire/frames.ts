/**
 * The frames of `proto/wool.proto`, as the generated codec (`wool_pb.ts`)
 * hands them over and takes them: camelCase fields, a `frame` discriminant
 * naming the oneof member set (absent when none is), `bytes` as
 * `Uint8Array` views.
 *
 * A decoded frame carries every scalar field, at its proto3 default when
 * the sender left it out: a Task without a tag has `tag: ""`, without a
 * budget `timeoutMs: 0`; a Status without metadata has `metadata: {}`.
 * Senders may leave defaults out (the encoder never writes them), but the
 * caller builds its frames whole, in one shape.
 *
 * @module
 */
import type {
  Call,
  CallReply,
  Request,
  Response,
  SessionRequest,
  SessionRequests,
  SessionResponse,
  SessionResponses,
  Status,
  Task,
} from "./wool_pb.ts";

/**
 * A Task frame: the first frame of every task. `tag` and `caller` are `""`
 * and `timeoutMs` (milliseconds left of the caller's budget) is 0 when
 * there is none.
 */
export type TaskFrame = Task;

/** A frame from the caller to the worker. */
export type RequestFrame = Request;

/** A frame from the worker to the caller. */
export type ResponseFrame = Response;

/**
 * A nested call's frame, from the worker running the parent task to the
 * parent's caller (`Response.call`).
 */
export type { Call };

/** The caller's answer to one nested call (`Request.callReply`). */
export type { CallReply };

/** A per-task gRPC status, as a Session carries it. */
export type StatusFrame = Status;

/**
 * The id of one task on a Session stream: the wire's `uint64`, decoded
 * exactly — a number up to 2^53, a bigint beyond — so two ids never
 * collide, and each keys a `Map` by its value. The caller numbers its
 * tasks from 1, as numbers.
 */
export type StreamId = number | bigint;

/** A frame from the caller on a multiplexed Session stream. */
export type SessionRequestFrame = SessionRequest;

/** One message of a Session stream from the caller: a batch of frames. */
export type { SessionRequests, SessionResponses };

/** A frame from the worker on a multiplexed Session stream. */
export type SessionResponseFrame = SessionResponse;

/**
 * Room, in bytes, for a frame's own fields (ids, specifiers, tags, protobuf
 * framing) around its largest payload. Caller and worker both size their
 * gRPC message limits and Session batches as `maxMessageBytes` plus this,
 * so the two sides agree on what fits.
 */
export const FRAME_OVERHEAD_BYTES = 64 * 1024;
