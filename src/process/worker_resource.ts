/**
 * Each spawned worker's OpenTelemetry resource names the worker. The pool
 * starts it with `OTEL_RESOURCE_ATTRIBUTES` holding `wool.worker.id=<id>`
 * after whatever the variable already held (from the pool's environment,
 * or `worker.env`). Deno's built-in exporter (`OTEL_DENO=true`) otherwise
 * puts only the service name and the runtime in a process's resource, so
 * the spans and metrics of a pool's workers (tasks active per worker, say)
 * could not be told apart; an SDK's environment resource detector reads
 * the variable too.
 *
 * @module
 */
import type { ResolvedWorkerLaunch } from "./launch.ts";

/** The variable OpenTelemetry reads a process's resource attributes from. */
export const RESOURCE_ATTRIBUTES_ENV = "OTEL_RESOURCE_ATTRIBUTES";

/** The resource attribute naming a spawned worker (its id in the pool). */
export const WORKER_ID_ATTRIBUTE = "wool.worker.id";

/**
 * The launch of worker `id`, its resource attributes naming it.
 *
 * @example
 * ```ts
 * import { withWorkerResource } from "./worker_resource.ts";
 * import assert from "node:assert/strict";
 *
 * const launch = withWorkerResource({
 *   command: "deno",
 *   args: [],
 *   env: { OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=prod" },
 *   clearEnv: true,
 * }, "w2");
 * assert.equal(
 *   launch.env.OTEL_RESOURCE_ATTRIBUTES,
 *   "deployment.environment=prod,wool.worker.id=w2",
 * );
 * ```
 *
 * @param launch The worker's command line and environment.
 * @param id The worker's id in its pool.
 * @returns The same launch, `OTEL_RESOURCE_ATTRIBUTES` extended (or set).
 */
export function withWorkerResource(
  launch: ResolvedWorkerLaunch,
  id: string,
): ResolvedWorkerLaunch {
  const own = `${WORKER_ID_ATTRIBUTE}=${encodeURIComponent(id)}`;
  const base = launch.env[RESOURCE_ATTRIBUTES_ENV] ??
    (launch.clearEnv ? undefined : readable(RESOURCE_ATTRIBUTES_ENV));
  return {
    ...launch,
    env: {
      ...launch.env,
      [RESOURCE_ATTRIBUTES_ENV]: base ? `${base},${own}` : own,
    },
  };
}

/** The pool's own value of `variable`, when it may read it. */
function readable(variable: string): string | undefined {
  const state = Deno.permissions.querySync({ name: "env", variable }).state;
  return state === "granted" ? Deno.env.get(variable) : undefined;
}
