/**
 * The grammar of one task's answers, as both sides and the nested calls
 * inside a task read it: what an Ack announces, and which frame ends a
 * task by itself. It needs no gRPC, so the layer task code imports
 * (`src/call/`, `src/task/`) can use it without loading grpc-js.
 *
 * @module
 */
import type { ResponseFrame } from "./frames.ts";

/** gRPC's status code OK (0), for code that does not load grpc-js. */
export const STATUS_OK = 0;

/**
 * What a task turned out to be, from its Ack: a coroutine answers one
 * Result; a generator answers a Result per step, then Done or an
 * Exception.
 */
export type TaskKind = "coroutine" | "generator";

/** The kind an Ack announces (proto3 leaves `generator: false` out). */
export function kindOfAck(ack: { readonly generator?: boolean }): TaskKind {
  return ack.generator ? "generator" : "coroutine";
}

/**
 * True when `frame` ends its task by itself: a Nack, an Exception, a Done,
 * or a coroutine's Result. The caller then expects no more frames; the
 * worker sends no more. A nested Call the task makes ends nothing.
 */
export function isTerminal(frame: ResponseFrame, kind: TaskKind): boolean {
  switch (frame.frame) {
    case "ack":
    case "call":
      return false;
    case "result":
      return kind === "coroutine";
    default:
      return true;
  }
}
