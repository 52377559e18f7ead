/**
 * `currentPool()`: the pool the running task was dispatched from.
 *
 * @module
 */
import { currentTaskContext, NoRunningTask } from "./task_context.ts";
import type { TaskPool } from "./task_pool.ts";

/**
 * The pool the running task was dispatched from, to call other tasks
 * through it (nested calls). Each call goes back to the pool over the
 * task's own connection, through the pool's load balancer and the
 * admission of whichever worker takes it, like any other call. A pool
 * refuses calls nested deeper than its `maxCallDepth` (default 16) with
 * `CallDepthExceeded`.
 *
 * Mind the slots: a task waiting for its children holds its own slot
 * meanwhile. With every slot of every worker held by parents, children
 * find no room (see the README, "Nested calls").
 *
 * @returns The pool's call surface.
 * @throws {NoRunningTask} when called outside a running task.
 *
 * @example A parallel sum that splits its range across workers
 * ```ts
 * import { currentPool } from "@wool/core/task";
 *
 * export async function sum(from: number, to: number): Promise<number> {
 *   if (to - from <= 1000) {
 *     let total = 0;
 *     for (let i = from; i < to; i++) total += i;
 *     return total;
 *   }
 *   const middle = Math.floor((from + to) / 2);
 *   const self = currentPool().remote<{ sum: typeof sum }>(import.meta.url);
 *   const [left, right] = await Promise.all([self.sum(from, middle), self.sum(middle, to)]);
 *   return left + right;
 * }
 * ```
 */
export function currentPool(): TaskPool {
  const pool = currentTaskContext()?.pool;
  if (pool === undefined) throw new NoRunningTask("currentPool()", "the pool");
  return pool;
}
