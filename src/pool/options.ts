/**
 * The options of `WorkerPool.start()`, validated once into the resolved
 * form each layer takes its slice of.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";
import { MAX_TIMER_MS } from "../_util/timeout.ts";
import { normalizeBackpressureSpec } from "../backpressure/spec.ts";
import type { BackpressureSpec } from "../backpressure/types.ts";
import type { Transport } from "../connection/worker_connection.ts";
import type { LoadBalancer } from "../loadbalancer/load_balancer.ts";
import { RoundRobinLoadBalancer } from "../loadbalancer/round_robin.ts";
import { assertSupportedDenoVersion } from "./deno_version.ts";
import {
  planWorkerLaunch,
  type WorkerLaunchOptions,
  type WorkerLaunchPlan,
} from "../process/launch.ts";
import type { HookSpec } from "../wire/launch.ts";
import {
  booleanOption,
  durationOption,
  integerOption,
} from "./_option_checks.ts";
import {
  type RecycleLimits,
  type RecycleOptions,
  validateRecycleOptions,
} from "./recycle.ts";

/**
 * Options of {@linkcode WorkerPool.start}.
 *
 * @example A pool of two workers capping each at 8 active tasks
 * ```ts
 * import { WorkerPool, type WorkerPoolOptions } from "@wool/core";
 *
 * const options: WorkerPoolOptions = {
 *   spawn: 2,
 *   backpressure: { module: "@wool/core/backpressure", export: "maxActive", options: { limit: 8 } },
 * };
 * await using pool = await WorkerPool.start(options);
 * ```
 */
export interface WorkerPoolOptions {
  /**
   * How many worker processes to start: an integer ≥ 1.
   * @default {navigator.hardwareConcurrency}
   */
  spawn?: number;
  /**
   * The admission-control hook every worker runs before it accepts a task,
   * named by module specifier. None accepts every task.
   * @default {undefined}
   */
  backpressure?: BackpressureSpec;
  /**
   * Milliseconds a hook gets to answer; a hook that takes longer rejects
   * the task (cause `"hook-timeout"`).
   * @default {1000}
   */
  backpressureTimeoutMs?: number;
  /**
   * Milliseconds a call waits for capacity when every worker rejects it,
   * retrying with jittered backoff and at once when a worker frees a slot.
   * 0 fails at once with `NoWorkersAvailable`, as wool does.
   * @default {0}
   */
  admissionWaitMs?: number;
  /**
   * Tasks in flight at once on one worker's connection; calls beyond it
   * wait for a permit in arrival order. An integer ≥ 1.
   * @default {100}
   */
  maxConcurrentDispatches?: number;
  /**
   * Largest serialized argument list, result, yielded or sent value, in
   * bytes. A larger one fails with `MessageTooLarge` before it is sent.
   * @default {67108864}
   */
  maxMessageBytes?: number;
  /**
   * Replace a worker that dies, with backoff when replacements keep dying,
   * so the pool keeps its size.
   * @default {true}
   */
  respawn?: boolean;
  /**
   * Replace a worker once it has accepted `maxTasks` tasks or grown past
   * `maxRssBytes` of resident memory, failing no call: its replacement
   * joins first, then it takes no new task (it leaves with reason
   * `"recycled"`), its calls in flight finish, and it is stopped.
   * @default {undefined (workers are never recycled)}
   */
  recycle?: RecycleOptions;
  /**
   * Orders the workers tried for each call.
   * @default {new RoundRobinLoadBalancer()}
   */
  loadBalancer?: LoadBalancer;
  /**
   * How worker processes are launched: permissions, config file,
   * environment, where they listen, or a command of your own (e.g. a
   * compiled worker binary).
   * @default {{ permissions: "inherit", inheritEnv: false, listen: "unix" }}
   */
  worker?: WorkerLaunchOptions;
  /**
   * Milliseconds a worker gets from spawn to its ready line.
   * @default {30000}
   */
  startTimeoutMs?: number;
  /**
   * Milliseconds a worker may go without answering the pool's liveness
   * probe (an `Idle` RPC sent every `workerUnresponsiveMs / 4`) before the
   * pool kills it as hung — e.g. a task stuck in a synchronous loop — so
   * its calls reject with `WorkerCrashed` instead of hanging. 0 disables
   * the probe.
   * @default {10000}
   */
  workerUnresponsiveMs?: number;
  /**
   * How tasks travel to workers: `"session"` multiplexes them over one
   * long-lived stream per worker; `"dispatch"` opens a stream per task.
   * Both behave the same per task.
   * @default {"session"}
   */
  transport?: Transport;
  /**
   * Start on a Deno release known to break wool anyway (Deno 2.9.4–2.9.6,
   * which abort a process serving HTTP/2 when a client connection closes):
   * for a patched build, or when you accept the risk. Without it, `start()`
   * fails on such a release with `UnsupportedDenoVersion`, naming the
   * version and the fix, before anything is spawned.
   * @default {false}
   */
  allowKnownBadDeno?: boolean;
}

/** Options of {@linkcode WorkerPool.close}. */
export interface CloseOptions {
  /**
   * Milliseconds in-flight tasks get to finish before they are cancelled.
   * @default {30000}
   */
  graceMs?: number;
}

/** Options after validation, with every default filled in. */
export interface ResolvedPoolOptions {
  readonly spawn: number;
  readonly backpressure: HookSpec | null;
  readonly backpressureTimeoutMs: number;
  readonly admissionWaitMs: number;
  readonly maxConcurrentDispatches: number;
  readonly maxMessageBytes: number;
  readonly respawn: boolean;
  readonly recycle: RecycleLimits;
  readonly loadBalancer: LoadBalancer;
  readonly launch: WorkerLaunchPlan;
  readonly startTimeoutMs: number;
  readonly workerUnresponsiveMs: number;
  readonly transport: Transport;
  /** Checked by the time the options are resolved: the pool started anyway. */
  readonly allowKnownBadDeno: boolean;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  "spawn",
  "backpressure",
  "backpressureTimeoutMs",
  "admissionWaitMs",
  "maxConcurrentDispatches",
  "maxMessageBytes",
  "respawn",
  "recycle",
  "loadBalancer",
  "worker",
  "startTimeoutMs",
  "workerUnresponsiveMs",
  "transport",
  "allowKnownBadDeno",
]);

/**
 * The longest duration, in milliseconds, a duration option takes: the
 * longest delay a timer honours (about 24.8 days); a longer one would fire
 * at once.
 */
export const MAX_DURATION_MS: number = MAX_TIMER_MS;

/** Default `maxMessageBytes`: 64 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** The worker process's entry: the pool starts `deno run` on this URL. */
const WORKER_ENTRY = new URL("../worker/main.ts", import.meta.url);

/**
 * Never true: it guards the `import()` below, which never runs. `deno cache`
 * and `deno install` follow a literal dynamic import even in a branch that
 * never runs, so caching a program that imports `@wool/core` (from JSR, say)
 * caches the worker's whole module graph with it, and its workers then start
 * with no network. Keep the specifier the same as {@linkcode WORKER_ENTRY}'s.
 */
const CACHE_HINT_ONLY = false as boolean;
if (CACHE_HINT_ONLY) void import("../worker/main.ts");

/**
 * Validates `options` and fills in defaults, then checks that `denoVersion`
 * is not a release known to break wool (unless `allowKnownBadDeno`).
 *
 * @param options The options of `WorkerPool.start()`.
 * @param denoVersion The Deno version the pool would run on: the running
 * one, except in tests.
 * @throws {TypeError} when an option has the wrong type, or is unknown.
 * @throws {RangeError} when a number is out of its range (a duration
 * over {@linkcode MAX_DURATION_MS} included).
 * @throws {UnsupportedDenoVersion} when `denoVersion` is known to break
 * wool and `allowKnownBadDeno` is not `true`.
 */
export function validatePoolOptions(
  options: WorkerPoolOptions = {},
  denoVersion: string = Deno.version.deno,
): ResolvedPoolOptions {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `Cannot start worker pool: options must be an object, received ${
        describeValue(options)
      }`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new TypeError(
        `Cannot start worker pool: unknown option "${key}" (known: ${
          [...KNOWN_OPTIONS].join(", ")
        })`,
      );
    }
  }
  const resolved: ResolvedPoolOptions = {
    spawn: integerOption(
      "spawn",
      options.spawn,
      navigator.hardwareConcurrency || 1,
      1,
    ),
    backpressure: normalizeBackpressureSpec(options.backpressure),
    backpressureTimeoutMs: durationOption(
      "backpressureTimeoutMs",
      options.backpressureTimeoutMs,
      1000,
      false,
    ),
    admissionWaitMs: durationOption(
      "admissionWaitMs",
      options.admissionWaitMs,
      0,
      true,
    ),
    maxConcurrentDispatches: integerOption(
      "maxConcurrentDispatches",
      options.maxConcurrentDispatches,
      100,
      1,
    ),
    maxMessageBytes: integerOption(
      "maxMessageBytes",
      options.maxMessageBytes,
      DEFAULT_MAX_MESSAGE_BYTES,
      1,
    ),
    respawn: booleanOption("respawn", options.respawn, true),
    recycle: validateRecycleOptions(options.recycle),
    loadBalancer: loadBalancerOption(options.loadBalancer),
    launch: planWorkerLaunch(options.worker, WORKER_ENTRY),
    startTimeoutMs: durationOption(
      "startTimeoutMs",
      options.startTimeoutMs,
      30_000,
      false,
    ),
    workerUnresponsiveMs: durationOption(
      "workerUnresponsiveMs",
      options.workerUnresponsiveMs,
      10_000,
      true,
    ),
    transport: transportOption(options.transport),
    allowKnownBadDeno: booleanOption(
      "allowKnownBadDeno",
      options.allowKnownBadDeno,
      false,
    ),
  };
  assertSupportedDenoVersion(denoVersion, resolved);
  return resolved;
}

/**
 * Validates the options of `close()`.
 *
 * @throws {TypeError} when `graceMs` is not a number.
 * @throws {RangeError} when `graceMs` is negative, not finite, or over
 * {@linkcode MAX_DURATION_MS}.
 */
export function validateCloseOptions(options: CloseOptions = {}): number {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `Cannot close worker pool: options must be an object, received ${
        describeValue(options)
      }`,
    );
  }
  const { graceMs = 30_000 } = options;
  if (typeof graceMs !== "number") {
    throw new TypeError(
      `Cannot close worker pool: "graceMs" must be a number, received ${
        describeValue(graceMs)
      }`,
    );
  }
  if (!Number.isFinite(graceMs) || graceMs < 0 || graceMs > MAX_DURATION_MS) {
    throw new RangeError(
      `Cannot close worker pool: "graceMs" must be a finite number ≥ 0 and ≤ ${MAX_DURATION_MS}, received ${graceMs}`,
    );
  }
  return graceMs;
}

function loadBalancerOption(value: unknown): LoadBalancer {
  if (value === undefined) return new RoundRobinLoadBalancer();
  if (
    value === null || typeof value !== "object" ||
    typeof (value as LoadBalancer).candidates !== "function"
  ) {
    throw new TypeError(
      `Cannot start worker pool: "loadBalancer" must be an object with a candidates() method, received ${
        describeValue(value)
      }`,
    );
  }
  return value as LoadBalancer;
}

function transportOption(value: unknown): Transport {
  if (value === undefined) return "session";
  if (value !== "session" && value !== "dispatch") {
    throw new TypeError(
      `Cannot start worker pool: "transport" must be "session" or "dispatch", received ${
        describeValue(value)
      }`,
    );
  }
  return value;
}
