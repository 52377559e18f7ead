/**
 * Reading the first frame of a task: the checks that refuse it before
 * anything runs, and the task a hook sees. Nothing here imports the task's
 * module: that waits until the hook has accepted the task.
 *
 * @module
 */
import { describeErrorMessage } from "../_util/describe.ts";
import type { Task } from "../backpressure/types.ts";
import type { RequestFrame, StatusFrame, TaskFrame } from "../wire/frames.ts";
import {
  PROTOCOL_VERSION,
  protocolMismatchMessage,
} from "../wire/protocol_version.ts";
import { Status, statusFrame } from "../wire/status.ts";
import { TaskLoadError } from "../wire/task_load_error.ts";
import { decodeArgs } from "../wire/values.ts";
import { decodeContext } from "../wire/context_values.ts";

/**
 * The Task frame a task's first frame must be, or the status refusing it:
 * `INVALID_ARGUMENT` for another kind of frame, `FAILED_PRECONDITION` for
 * another protocol version.
 */
export function readFirstFrame(
  frame: RequestFrame,
): { readonly task: TaskFrame } | { readonly refused: StatusFrame } {
  if (frame.frame !== "task") {
    return {
      refused: statusFrame(
        Status.INVALID_ARGUMENT,
        `The first frame of a task must be a Task frame, received "${frame.frame}"`,
      ),
    };
  }
  if (frame.task.protocolVersion !== PROTOCOL_VERSION) {
    return {
      refused: statusFrame(
        Status.FAILED_PRECONDITION,
        protocolMismatchMessage(frame.task.protocolVersion ?? 0),
      ),
    };
  }
  return { task: frame.task };
}

/**
 * The task a Task frame describes, its arguments decoded (proto3 leaves
 * empty fields out).
 *
 * @throws {TaskLoadError} naming the task when its arguments, or a context
 * variable, cannot be decoded.
 */
export function decodeTask(frame: TaskFrame): Task {
  let args: unknown[];
  let context: Readonly<Record<string, unknown>> | undefined;
  try {
    args = decodeArgs(frame.args ?? new Uint8Array());
    context = decodeContext(frame.context);
  } catch (error) {
    throw new TaskLoadError(
      frame.module ?? "",
      frame.export ?? "",
      describeErrorMessage(error),
      { cause: error },
    );
  }
  return {
    id: frame.id ?? "",
    module: frame.module ?? "",
    export: frame.export ?? "",
    args,
    ...(frame.tag ? { tag: frame.tag } : {}),
    ...(frame.caller ? { caller: frame.caller } : {}),
    ...(frame.depth ? { depth: frame.depth } : {}),
    ...(frame.timeoutMs ? { timeoutMs: frame.timeoutMs } : {}),
    ...(context === undefined ? {} : { context }),
  };
}
