/**
 * Builds the frozen snapshot a backpressure hook decides on.
 *
 * @module
 */
import type { BackpressureContext, Task } from "./types.ts";

/**
 * Builds the {@linkcode BackpressureContext} for one incoming task.
 *
 * The context, its `task` and the `task.args` array are frozen; the values
 * inside `args` are the task's own and are not frozen. Optional task fields
 * (`tag`, `caller`, `depth`, `timeoutMs`, `context`) are present only when
 * the task has them.
 * `args` is copied before it is frozen, unless it is frozen already.
 *
 * @param activeTaskCount Tasks in the worker's docket, not counting this one.
 * @param task The decoded incoming task.
 * @returns A frozen context.
 */
export function createBackpressureContext(
  activeTaskCount: number,
  task: Task,
): BackpressureContext {
  const view: {
    id: string;
    module: string;
    export: string;
    args: readonly unknown[];
    tag?: string;
    caller?: string;
    depth?: number;
    timeoutMs?: number;
    context?: Readonly<Record<string, unknown>>;
  } = {
    id: task.id,
    module: task.module,
    export: task.export,
    args: Object.isFrozen(task.args)
      ? task.args
      : Object.freeze(task.args.slice()),
  };
  if (task.tag !== undefined) view.tag = task.tag;
  if (task.caller !== undefined) view.caller = task.caller;
  if (task.depth !== undefined) view.depth = task.depth;
  if (task.timeoutMs !== undefined) view.timeoutMs = task.timeoutMs;
  if (task.context !== undefined) {
    view.context = Object.isFrozen(task.context)
      ? task.context
      : Object.freeze({ ...task.context });
  }
  return Object.freeze({ activeTaskCount, task: Object.freeze(view) });
}
