/**
 * Admission control for `@wool/core` workers: built-in backpressure hook
 * factories, and the types to write your own hooks.
 *
 * A backpressure hook runs in each worker before the worker acknowledges an
 * incoming task, and may reject it (`true` or `{ reject: true, reason }`);
 * the caller's load balancer then tries the next worker. Hooks cross the
 * process boundary as module specifiers, so a pool names one of these
 * factories by module, export and options; each worker calls the factory
 * once at start-up:
 *
 * <!-- `ignore`: it imports the root module and starts worker processes; the
 * pool's integration tests run this configuration. -->
 * ```ts ignore
 * import { WorkerPool } from "@wool/core";
 *
 * await using pool = await WorkerPool.start({
 *   spawn: 2,
 *   backpressure: {
 *     module: "@wool/core/backpressure",
 *     export: "maxActive",
 *     options: { limit: 8 },
 *   },
 * });
 * ```
 *
 * - {@linkcode maxActive}: caps the tasks each worker runs at once.
 * - {@linkcode memoryPressure}: sheds load while a worker's RSS is too high.
 * - {@linkcode rateLimit}: a token bucket of tasks per second per worker.
 *
 * A hook of your own is the default export of a module, typed with
 * {@linkcode BackpressureHook} (or a {@linkcode BackpressureHookFactory}
 * named with `options`).
 *
 * @module
 */
export { maxActive } from "./max_active.ts";
export type { MaxActiveOptions } from "./max_active.ts";
export { memoryPressure } from "./memory_pressure.ts";
export type { MemoryPressureOptions } from "./memory_pressure.ts";
export { rateLimit } from "./rate_limit.ts";
export type { RateLimitOptions } from "./rate_limit.ts";
export type {
  BackpressureContext,
  BackpressureHook,
  BackpressureHookFactory,
  BackpressureSpec,
  JsonValue,
  Task,
  Verdict,
} from "./types.ts";
export { adaptiveConcurrency } from "./adaptive_concurrency.ts";
export type {
  AdaptiveConcurrencyHook,
  AdaptiveConcurrencyOptions,
} from "./adaptive_concurrency.ts";
export { fairShare } from "./fair_share.ts";
export type { FairShareHook, FairShareOptions } from "./fair_share.ts";
export type {
  BackpressureHookObject,
  SettledTask,
  TaskOutcome,
} from "./hook_object.ts";
