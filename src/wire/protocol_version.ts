/**
 * The version of the wire protocol in `proto/wool.proto`.
 *
 * Every Task frame carries it; a worker that speaks another version answers
 * `FAILED_PRECONDITION` instead of running the task.
 */
export const PROTOCOL_VERSION = 1;

/**
 * The message a worker sends with `FAILED_PRECONDITION` when a Task frame
 * names another protocol version.
 */
export function protocolMismatchMessage(received: number): string {
  return `Protocol version mismatch: the worker speaks ${PROTOCOL_VERSION}, the task frame carries ${received}`;
}
