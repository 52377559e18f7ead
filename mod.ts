/**
 * `@wool/core`: run exported async functions and async generators of
 * ordinary modules in a pool of worker processes, over gRPC, with
 * admission control (backpressure hooks) in every worker.
 *
 * ```ts
 * import { WorkerPool } from "@wool/core";
 *
 * await using pool = await WorkerPool.start({
 *   spawn: 2,
 *   backpressure: { module: "@wool/core/backpressure", export: "maxActive", options: { limit: 8 } },
 * });
 * const tasks = pool.remote<typeof import("./examples/tasks.ts")>(
 *   import.meta.resolve("./examples/tasks.ts"),
 * );
 * console.log(await tasks.add(1, 2));
 * for await (const i of tasks.count(3)) console.log(i);
 * ```
 *
 * @module
 */
export { type PoolState, WorkerPool } from "./src/pool/worker_pool.ts";
export type { WorkerPoolOptions } from "./src/pool/options.ts";
export type { PoolCredentials } from "./src/pool/discovery_options.ts";
export type { CloseOptions } from "./src/pool/close_options.ts";
export type { DispatchCall, RemoteOptions } from "./src/call/dispatch_call.ts";
export {
  RemoteCall,
  type ResultOf,
  type YieldOf,
} from "./src/call/remote_call.ts";
export type { Remote } from "./src/call/remote.ts";
export type { PoolStats, WorkerStats } from "./src/pool/stats.ts";
export type {
  LeaveReason,
  PoolEvent,
  RosterChange,
  SubscribeOptions,
} from "./src/pool/roster.ts";
export {
  QuorumNotMet,
  type UnavailableReason,
  WorkerUnavailable,
} from "./src/pool/membership_errors.ts";
export type { RecycleOptions } from "./src/pool/recycle.ts";
export type {
  DiscoveredWorker,
  Discovery,
  DiscoveryEvent,
  RemovalReason,
} from "./src/discovery/discovery.ts";
export { DiscoveryError } from "./src/discovery/errors.ts";
export { staticDiscovery } from "./src/discovery/static.ts";
export { dnsDiscovery, type DnsDiscoveryOptions } from "./src/discovery/dns.ts";
export {
  natsDiscovery,
  type NatsDiscoveryOptions,
} from "./src/discovery/nats.ts";
export { LeastInFlightLoadBalancer } from "./src/loadbalancer/least_in_flight.ts";
export { RoundRobinLoadBalancer } from "./src/loadbalancer/round_robin.ts";
export type {
  AttemptOutcome,
  LoadBalancer,
  RosterView,
  WorkerId,
  WorkerInfo,
} from "./src/loadbalancer/load_balancer.ts";
export { NoRunningTask, taskSignal } from "./src/task/task_context.ts";
export { currentPool } from "./src/task/current_pool.ts";
export {
  ContextVar,
  type ContextVarOptions,
  ContextVarUnset,
} from "./src/task/context_var.ts";
export type { TaskPool } from "./src/task/task_pool.ts";
export { WoolError } from "./src/errors.ts";
export { WorkerStartError } from "./src/process/errors.ts";
export {
  MissingPermission,
  type PoolPermission,
} from "./src/process/preflight.ts";
export { PermissionNotInheritable } from "./src/process/inherit_permissions.ts";
export {
  type KnownBadDenoRange,
  UnsupportedDenoVersion,
} from "./src/pool/deno_version.ts";
export {
  type AttemptCause,
  NoWorkersAvailable,
} from "./src/loadbalancer/errors.ts";
export {
  DispatchTimeout,
  PoolClosed,
  WorkerCrashed,
} from "./src/pool/errors.ts";
export { RemoteError } from "./src/wire/remote_error.ts";
export { CallDepthExceeded } from "./src/wire/call_depth_exceeded.ts";
export { MessageTooLarge } from "./src/wire/message_too_large.ts";
export { TaskLoadError } from "./src/wire/task_load_error.ts";
export { TaskPermissionDenied } from "./src/wire/task_permission_denied.ts";
export { ProtocolError } from "./src/wire/protocol_error.ts";
export type { WorkerLaunchOptions } from "./src/process/launch.ts";
export type { ResourceLimits } from "./src/process/resource_limits.ts";
export type { WorkerPermissions } from "./src/process/permissions.ts";
export type { Transport } from "./src/connection/worker_connection.ts";
export type {
  BackpressureContext,
  BackpressureHook,
  BackpressureHookFactory,
  BackpressureSpec,
  JsonValue,
  RejectionCause,
  Task,
  Verdict,
} from "./src/backpressure/types.ts";
