/**
 * The version of the wire protocol in `proto/wool.proto`.
 *
 * Every Task frame carries it; a worker that speaks another version answers
 * `FAILED_PRECONDITION` instead of running the task.
 *
 * - 1: the first protocol.
 * - 2: Task frames carry the caller's context variables, its trace context
 *   and the call's nesting depth; a version-1 worker would run such a task
 *   without them, so the two refuse each other.
 * - 3: nested calls: a task's conversation carries the calls it makes
 *   through its pool (Call frames among its responses, CallReply frames
 *   among its requests); a version-2 peer would refuse them out of turn.
 */
export const PROTOCOL_VERSION = 3;

/**
 * The message a worker sends with `FAILED_PRECONDITION` when a Task frame
 * names another protocol version.
 */
export function protocolMismatchMessage(received: number): string {
  return `Protocol version mismatch: the worker speaks ${PROTOCOL_VERSION}, the task frame carries ${received}`;
}
