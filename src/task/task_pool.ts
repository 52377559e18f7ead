/**
 * The call surface a running task sees of the pool it was dispatched
 * from: what `currentPool()` returns.
 *
 * @module
 */
import type { DispatchCall, RemoteOptions } from "../call/dispatch_call.ts";
import type { Remote } from "../call/remote.ts";
import type { RemoteCall } from "../call/remote_call.ts";

/**
 * The call surface of a pool, as a task sees the pool it was dispatched
 * from: `dispatch()` and `remote()`, as on `WorkerPool`. A call made here
 * travels back to the pool over the task's own conversation, and the pool
 * dispatches it like any call (its load balancer, every worker's
 * admission), as a child of the task: its `caller` is the task's id, it
 * carries the task's context variables, and it is cancelled when the task
 * is (or ends).
 *
 * @example A task that fans out to another module's export
 * ```ts
 * import { currentPool, type TaskPool } from "@wool/core/task";
 *
 * export async function sizes(urls: string[]): Promise<number[]> {
 *   const pool: TaskPool = currentPool();
 *   const fetcher = pool.remote<{ size(url: string): Promise<number> }>(
 *     "jsr:@example/fetcher",
 *     { timeoutMs: 10_000 },
 *   );
 *   return await Promise.all(urls.map((url) => fetcher.size(url)));
 * }
 * ```
 */
export interface TaskPool {
  /**
   * Calls an export of a task module on some worker of the pool.
   *
   * @param call The module, export, arguments and options of the call.
   * @returns A {@linkcode RemoteCall}: await it (coroutine) or iterate it
   * (generator).
   */
  dispatch<R = unknown>(call: DispatchCall): RemoteCall<R>;
  /**
   * A typed proxy over a task module: each export becomes a function that
   * dispatches it.
   *
   * @param module The module specifier, absolute.
   * @param options What every call made through the proxy carries.
   */
  remote<T>(module: string | URL, options?: RemoteOptions): Remote<T>;
}
