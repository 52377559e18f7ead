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
import type { Discovery } from "../discovery/discovery.ts";
import type { LoadBalancer } from "../loadbalancer/load_balancer.ts";
import { DEFAULT_MAX_MESSAGE_BYTES } from "../wire/message_too_large.ts";
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
  loadBalancerOption,
  optionalNameOption,
  transportOption,
} from "./_option_checks.ts";
import {
  type PoolCredentials,
  type ResolvedDiscoveryOptions,
  validateDiscoveryOptions,
} from "./discovery_options.ts";
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
   * How many worker processes to start: an integer ≥ 1, or ≥ 0 with
   * `discovery` (0: a durable pool, which spawns nothing).
   * @default {navigator.hardwareConcurrency, or 0 with discovery}
   */
  spawn?: number;
  /**
   * Where to find long-lived workers the pool did not spawn (started with
   * `deno run -A jsr:@wool/core/worker --listen …`, elsewhere):
   * `staticDiscovery`, `dnsDiscovery`, `natsDiscovery`, or your own. The
   * pool dials each worker found, learns it (`Info`: protocol version,
   * tags), and admits it beside the spawned ones; one that cannot be
   * reached is retried with backoff and reported through `subscribe()`.
   * @default {undefined (spawned workers only)}
   */
  discovery?: Discovery;
  /**
   * What the pool presents to discovered workers: their token, and TLS.
   * Spawned workers keep the pool's own secret.
   * @default {undefined (no token, plain TCP)}
   */
  credentials?: PoolCredentials;
  /**
   * Admit only discovered workers carrying every one of these tags (their
   * `--tag`s, as their `Info` reports them). Spawned workers are the
   * pool's own and always admitted.
   * @default {[] (any worker)}
   */
  tags?: string[];
  /**
   * The most discovered workers admitted at once: an integer ≥ 1. The
   * others wait as candidates, in the order they were found, and one is
   * admitted each time an admitted one leaves.
   * @default {Infinity}
   */
  lease?: number;
  /**
   * Ready workers, spawned and discovered together, that `start()` waits
   * for; an integer ≥ 1, at most what `spawn` and `lease` allow. Without
   * it, `start()` waits only for the spawned workers, and discovered ones
   * join as they are found.
   * @default {spawn}
   */
  quorum?: number;
  /**
   * Milliseconds `start()` waits for the `quorum`; then it rejects with
   * `QuorumNotMet`, leaving nothing running.
   * @default {60000}
   */
  quorumTimeoutMs?: number;
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
   * With `admissionWaitMs`: what tells waiting calls apart, as `fairShare`'s
   * `key` does in a worker — a context variable's name, or `"tag"`. Calls
   * then wait in one queue per key instead of one for all, a freed slot
   * wakes the queues in turn, and a call tries at once while no call of
   * its own key waits: a tenant whose calls the workers refuse (over its
   * fair share) does not hold back another's. Meant for a few keys
   * (tenants, priorities): a freed slot wakes at most four queues.
   * @default {undefined (one queue, in arrival order)}
   */
  admissionWaitKey?: string;
  /**
   * Tasks in flight at once on one worker's connection; calls beyond it
   * wait for a permit in arrival order. An integer ≥ 1.
   * @default {100}
   */
  maxConcurrentDispatches?: number;
  /**
   * How deep tasks may nest calls through `currentPool()`: a call made
   * outside any task has depth 0, a call a task makes its own depth + 1.
   * A nested call deeper than this fails with `CallDepthExceeded`, without
   * being dispatched; 0 allows no nested call. An integer ≥ 0.
   * @default {16}
   */
  maxCallDepth?: number;
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

/** Options after validation, with every default filled in. */
export interface ResolvedPoolOptions extends ResolvedDiscoveryOptions {
  readonly backpressure: HookSpec | null;
  readonly backpressureTimeoutMs: number;
  readonly admissionWaitMs: number;
  readonly admissionWaitKey: string | undefined;
  readonly maxConcurrentDispatches: number;
  readonly maxCallDepth: number;
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
  "discovery",
  "credentials",
  "tags",
  "lease",
  "quorum",
  "quorumTimeoutMs",
  "backpressure",
  "backpressureTimeoutMs",
  "admissionWaitMs",
  "admissionWaitKey",
  "maxConcurrentDispatches",
  "maxCallDepth",
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

export { DEFAULT_MAX_MESSAGE_BYTES };

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

/** Default `maxCallDepth`: how deep tasks may nest calls. */
export const DEFAULT_MAX_CALL_DEPTH = 16;

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
    ...validateDiscoveryOptions(options),
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
    admissionWaitKey: optionalNameOption(
      "admissionWaitKey",
      options.admissionWaitKey,
    ),
    maxConcurrentDispatches: integerOption(
      "maxConcurrentDispatches",
      options.maxConcurrentDispatches,
      100,
      1,
    ),
    maxCallDepth: integerOption(
      "maxCallDepth",
      options.maxCallDepth,
      DEFAULT_MAX_CALL_DEPTH,
      0,
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
