/**
 * The floor service: the least a gRPC bidi stream can do with grpc-js, for
 * the benchmark's floors. Messages are raw bytes (identity serializers, no
 * protobuf), so the floor is grpc-js and HTTP/2 alone.
 *
 * - `Task`: one bidi stream per task; the client sends one message, the
 *   server answers two (an ack and a result) and ends the stream with OK.
 *   This is the shape of the pool's `dispatch` transport.
 * - `Echo`: one long-lived bidi stream; the server writes every message
 *   back.
 * - `Session`: one long-lived bidi stream; the server answers every
 *   message with two (an ack and a result). This is the shape of the
 *   pool's `session` transport for a coroutine.
 *
 * @module
 */
import type * as grpc from "npm:@grpc/grpc-js@1.14.7";
import { Buffer } from "node:buffer";

function identity(value: Buffer): Buffer {
  return value;
}

function method(name: string): grpc.MethodDefinition<Buffer, Buffer> {
  return {
    path: `/wool.bench.Floor/${name}`,
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  };
}

/** The `wool.bench.Floor` service definition, for client and server. */
export const FLOOR_SERVICE: grpc.ServiceDefinition = {
  Task: method("Task"),
  Echo: method("Echo"),
  Session: method("Session"),
};

/** A task message about the size of the pool's Task frame for `add(1, 2)`. */
export const TASK_MESSAGE: Buffer = Buffer.alloc(120, 7);
/** The server's ack, as small as the pool's Ack frame. */
export const ACK_MESSAGE: Buffer = Buffer.from([10, 0]);
/** The server's result, about the size of the pool's Result frame. */
export const RESULT_MESSAGE: Buffer = Buffer.alloc(12, 3);
/** What the echo benchmark sends (and gets back). */
export const ECHO_MESSAGE: Buffer = Buffer.alloc(120, 5);
