/**
 * `@wool/core/task`: what task code imports. A task module runs in a worker
 * process; this entry gives it the running task's signal and the context
 * variables its caller set, and pulls in nothing of the caller's side (no
 * pool, no gRPC client, no process spawning), so a task module stays as
 * light as its own imports.
 *
 * ```ts
 * import { taskSignal } from "@wool/core/task";
 *
 * export async function fetchAll(urls: string[]): Promise<number[]> {
 *   const signal = taskSignal(); // aborts when the caller gives up
 *   const sizes: number[] = [];
 *   for (const url of urls) {
 *     const response = await fetch(url, { signal });
 *     sizes.push((await response.arrayBuffer()).byteLength);
 *   }
 *   return sizes;
 * }
 * ```
 *
 * `taskSignal` is also exported by `@wool/core`, for code that runs on
 * both sides.
 *
 * @module
 */
export { NoRunningTask, taskSignal } from "./task_context.ts";
export { currentPool } from "./current_pool.ts";
export type { TaskPool } from "./task_pool.ts";
export { CallDepthExceeded } from "../wire/call_depth_exceeded.ts";
export {
  ContextVar,
  type ContextVarOptions,
  ContextVarUnset,
} from "./context_var.ts";
