/**
 * The frames of `proto/wool.proto`, as `@grpc/proto-loader` hands them over
 * (camelCase fields, a `frame` discriminant naming the oneof member set,
 * `bytes` as `Uint8Array`, `uint64` as a decimal string).
 *
 * @module
 */

/** A Task frame: the first frame of every task. */
export interface TaskFrame {
  protocolVersion: number;
  id: string;
  module: string;
  export: string;
  args: Uint8Array;
  tag?: string;
  caller?: string;
  /** Milliseconds left of the caller's budget; 0 or absent means none. */
  timeoutMs?: number;
}

/** A frame from the caller to the worker. */
export type RequestFrame =
  | { frame: "task"; task: TaskFrame }
  | { frame: "next"; next: Record<string, never> }
  | { frame: "send"; send: { value: Uint8Array } }
  | { frame: "throw"; throw: { error: Uint8Array } }
  | { frame: "return"; return: { value: Uint8Array } };

/** A frame from the worker to the caller. */
export type ResponseFrame =
  | { frame: "ack"; ack: { generator: boolean } }
  | { frame: "nack"; nack: { error: Uint8Array } }
  | { frame: "result"; result: { value: Uint8Array } }
  | { frame: "exception"; exception: { error: Uint8Array } }
  | { frame: "done"; done: { value: Uint8Array } };

/** A per-task gRPC status, as a Session carries it. */
export interface StatusFrame {
  code: number;
  details: string;
  metadata: Record<string, string>;
}

/**
 * The id of one task on a Session stream: the wire's `uint64`, as a
 * decimal string. Decoded exactly for every value up to 2^64 - 1, so two
 * ids never collide (as numbers, ids above 2^53 would round together).
 */
export type StreamId = string;

/** A frame from the caller on a multiplexed Session stream. */
export type SessionRequestFrame =
  | { stream: StreamId; frame: "request"; request: RequestFrame }
  | { stream: StreamId; frame: "cancel"; cancel: Record<string, never> };

/** One message of a Session stream from the caller: a batch of frames. */
export interface SessionRequests {
  frames: SessionRequestFrame[];
}

/** One message of a Session stream from the worker: a batch of frames. */
export interface SessionResponses {
  frames: SessionResponseFrame[];
}

/** A frame from the worker on a multiplexed Session stream. */
export type SessionResponseFrame =
  | { stream: StreamId; frame: "response"; response: ResponseFrame }
  | { stream: StreamId; frame: "status"; status: StatusFrame };

/**
 * Room, in bytes, for a frame's own fields (ids, specifiers, tags, protobuf
 * framing) around its largest payload. Caller and worker both size their
 * gRPC message limits and Session batches as `maxMessageBytes` plus this,
 * so the two sides agree on what fits.
 */
export const FRAME_OVERHEAD_BYTES = 64 * 1024;
