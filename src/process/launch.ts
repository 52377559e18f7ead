/**
 * How a worker process is launched: the public `worker` options of a pool,
 * validated once into a {@linkcode WorkerLaunchPlan} when the pool starts,
 * and the command line that `spawnWorker()` runs for each worker
 * ({@linkcode resolveWorkerLaunch}), whose permission flags name that
 * worker's own socket.
 *
 * This is the only place that turns launch options into a command line;
 * `worker_process.ts` only runs what it is given.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";
import { findDenoConfig } from "./config_file.ts";
import { defaultInheritProbes } from "./inherit_permissions.ts";
import {
  permissionFlags,
  requiredWorkerPermissions,
  type ResolvedPermissions,
  resolvePermissions,
  type WorkerEndpoint,
} from "./permissions.ts";
import {
  resourceLimitFlags,
  type ResourceLimits,
  validateResourceLimits,
} from "./resource_limits.ts";
import { workerEnvironment } from "./worker_env.ts";

/**
 * How a pool launches its worker processes (`WorkerPoolOptions.worker`).
 *
 * By default a worker is `deno run <permission flags> [--v8-flags=<resource
 * limits>] --config <the caller's deno.json> <worker entry>`, run by the
 * same Deno binary as the caller. Give `command` (and `args`) to run
 * something else that speaks the worker protocol instead, e.g. a worker
 * compiled with `deno compile`; the pool then adds nothing to its command
 * line, so `permissions`, `config` and `resourceLimits` do not apply.
 *
 * @example Restricting workers to what their tasks need
 * ```ts
 * import { WorkerPool, type WorkerLaunchOptions } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const worker: WorkerLaunchOptions = {
 *   // The worker also always gets what it needs to serve gRPC.
 *   permissions: { read: [Deno.cwd()], env: ["TASKS_MODE"] },
 *   env: { TASKS_MODE: "strict" },
 * };
 * await using pool = await WorkerPool.start({ spawn: 1, worker });
 * assert.equal(pool.workers.length, 1);
 * ```
 */
export interface WorkerLaunchOptions {
  /**
   * The program to run in place of `deno run <worker entry>`. It must speak
   * the worker protocol (`@wool/core/worker`): read its config from stdin,
   * print the status line, exit when stdin closes.
   *
   * @default {Deno.execPath()}
   */
  readonly command?: string;
  /**
   * The arguments of `command`, as given; only with `command`.
   *
   * @default {["run", <permission flags>, "--config", <config>, <worker entry>]}
   */
  readonly args?: readonly string[];
  /**
   * The Deno configuration file workers use (a path, relative to the
   * working directory), for their import map and `npm:` dependencies.
   * Only for the default `deno run` launch.
   *
   * @default {the file Deno uses for the main module, or none (`--no-config`)}
   */
  readonly config?: string;
  /**
   * The permissions of the worker, as for Deno's own `Worker`: `"inherit"`
   * (the grants of this process), `"none"`, or an object with an entry per
   * permission name (`"inherit"`, `true`, `false` or a list). The worker
   * also always gets what it needs to serve gRPC and nothing more: on a
   * Unix socket, `read`/`write` of its socket directory and `net` for its
   * own socket only (no TCP at all); on TCP, `net` to its host; `env` for
   * grpc-js's variables and `read` of the proto file. Task and hook
   * modules are imported at run time, so a restricted worker needs `read`
   * of their files. `"inherit"` passes on what this process holds in full;
   * a grant it holds in part (an allow-list or deny-list) cannot be read
   * back from Deno and is refused at start with `PermissionNotInheritable`
   * where it can be seen. Only for the default `deno run` launch.
   *
   * @default {"inherit"}
   */
  readonly permissions?: "inherit" | "none" | Deno.PermissionOptionsObject;
  /**
   * Caps on each worker's V8 heap and stack, as Node's `Worker` and
   * Piscina take them (`maxOldGenerationSizeMb`, `maxYoungGenerationSizeMb`,
   * `stackSizeMb`), passed to the worker as one `--v8-flags=` argument
   * (see {@linkcode ResourceLimits} for the flag each becomes). A worker
   * whose heap reaches its cap dies; its calls in flight fail with
   * `WorkerCrashed` saying it ran out of memory, and the pool replaces it.
   * Only for the default `deno run` launch.
   *
   * @default {V8's own limits}
   */
  readonly resourceLimits?: ResourceLimits;
  /**
   * How the kernel schedules the worker's threads, on Linux: `"normal"`
   * (`SCHED_OTHER`), or `"batch"` (`SCHED_BATCH`, through util-linux's
   * `chrt --batch 0`), which takes a worker's wake-ups as those of a
   * throughput job: a worker that wakes to answer does not preempt a
   * process already running — the caller in the middle of a batch of
   * calls, say. Where the pool's process and its workers outnumber the
   * cores, that steadies the tail: in 6 paired runs on 2 cores (2 workers,
   * concurrency 64), `"batch"` gave p99 2.4–2.9 ms against 2.7–3.6 ms, a
   * p99/p50 of 4.0–4.8× against 4.4–5.8×, and 1.1× the rate. Only for the
   * default `deno run` launch (with `worker.command`, put `chrt` in the
   * command); refused where the pool does not run on Linux.
   *
   * @default {"normal"}
   */
  readonly schedulingPolicy?: "normal" | "batch";
  /**
   * Environment variables the worker gets, over those it keeps (see
   * `inheritEnv`).
   *
   * @default {{}}
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Which of this process's environment variables the worker keeps. By
   * default only those Deno, npm, grpc-js and OpenTelemetry read (`HOME`,
   * `PATH`, `DENO_*`, `NPM_CONFIG_*`, `GRPC_*`, `OTEL_*`, proxies,
   * certificates, locale), so
   * that secrets in this process's environment do not reach task code:
   * `true` keeps all of it, a list of names keeps those too.
   *
   * @default {false}
   */
  readonly inheritEnv?: boolean | readonly string[];
  /**
   * Where workers listen: `"unix"`, a Unix domain socket in a directory
   * only this user can open (made per pool, mode 0700, removed at
   * `close()`), falling back to TCP on 127.0.0.1 where Unix sockets are
   * not available (Windows, or a temporary directory whose path leaves no
   * room for a socket name); `"tcp"`, TCP on 127.0.0.1. Either way every
   * call is authenticated with the pool's secret.
   *
   * @default {"unix"}
   */
  readonly listen?: "unix" | "tcp";
}

/**
 * The `worker` options, validated, with what does not depend on the
 * worker resolved: its command line is made by
 * {@linkcode resolveWorkerLaunch} once its socket is known.
 */
export interface WorkerLaunchPlan {
  /** The program to run. */
  readonly command: string;
  /**
   * For the default `deno run` launch: the permissions asked for, resolved
   * (`"inherit"` read from this process), and the arguments after the
   * permission flags (`--config <file> <entry>`). For a custom command:
   * `undefined`, and its arguments as given.
   */
  readonly permissions: ResolvedPermissions | undefined;
  readonly args: readonly string[];
  /** The worker's environment (see `worker_env.ts`). */
  readonly env: Readonly<Record<string, string>>;
  /** True when `env` replaces this process's environment. */
  readonly clearEnv: boolean;
  /** Where workers listen (`worker.listen`). */
  readonly listen: "unix" | "tcp";
  /**
   * The limits on each worker's V8 heap and stack, validated; `undefined`
   * when none is set (always with a custom command).
   */
  readonly resourceLimits: ResourceLimits | undefined;
  /** `worker.schedulingPolicy`; always `"normal"` with a custom command. */
  readonly schedulingPolicy: "normal" | "batch";
}

/** A launch resolved into the command line that spawns one worker. */
export interface ResolvedWorkerLaunch {
  /** The program to run. */
  readonly command: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** The worker's environment variables. */
  readonly env: Readonly<Record<string, string>>;
  /** True when `env` is the whole environment (`Deno.Command`'s `clearEnv`). */
  readonly clearEnv: boolean;
  /**
   * The limits its V8 flags set, to say which one a worker that ran out of
   * memory reached.
   *
   * @default {undefined}
   */
  readonly resourceLimits?: ResourceLimits;
}

const KNOWN_OPTIONS: readonly string[] = [
  "command",
  "args",
  "config",
  "permissions",
  "resourceLimits",
  "schedulingPolicy",
  "env",
  "inheritEnv",
  "listen",
];

/** What runs a worker under `SCHED_BATCH` (util-linux). */
const CHRT = "chrt";

/**
 * Validates launch options into a plan.
 *
 * Without `command`: `Deno.execPath() run <permission flags>
 * [--v8-flags=<resource limits>] --config <config> <entry>`, where the
 * config is `options.config`, else the file Deno uses for the caller's main
 * module ({@linkcode findDenoConfig}), else `--no-config`; all of it after
 * `chrt --batch 0` with `schedulingPolicy: "batch"`. With `command`:
 * `command` and `args` as given.
 *
 * @param options The `worker` options of a pool; `undefined` for defaults.
 * @param entry The worker entry module the default launch runs.
 * @returns The plan each worker's command line is made from.
 * @throws {TypeError} when an option has the wrong type, is unknown, or does
 * not apply (`args` without `command`; `permissions`, `config`,
 * `resourceLimits` or `schedulingPolicy` with it; `schedulingPolicy:
 * "batch"` off Linux); the message names the option
 * (`worker.<name>`, `worker.resourceLimits.<name>`).
 * @throws {RangeError} when a resource limit is out of range.
 * @throws {PermissionNotInheritable} when `"inherit"` meets a partial grant.
 * @throws {MissingPermission} when `inheritEnv` names a variable this
 * process may not read.
 */
export function planWorkerLaunch(
  options: WorkerLaunchOptions | undefined,
  entry: URL,
): WorkerLaunchPlan {
  if (options === undefined) options = {};
  if (
    options === null || typeof options !== "object" || Array.isArray(options)
  ) {
    throw optionError(
      `"worker" must be an object, received ${describeValue(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      throw optionError(
        `unknown option "worker.${key}" (known: ${KNOWN_OPTIONS.join(", ")})`,
      );
    }
  }
  const listen = listenOption(options.listen);
  const { env, clearEnv } = workerEnvironment(
    options.env,
    options.inheritEnv,
  );
  if (options.command !== undefined) {
    return {
      ...resolveCustomCommand(options),
      env,
      clearEnv,
      listen,
      resourceLimits: undefined,
      schedulingPolicy: "normal",
    };
  }
  if (options.args !== undefined) {
    throw optionError(
      `"worker.args" applies only with "worker.command"; the default launch is "deno run <flags> <worker entry>"`,
    );
  }
  const config = options.config === undefined
    ? findDenoConfig()
    : nonEmptyString("worker.config", options.config);
  const resourceLimits = validateResourceLimits(options.resourceLimits);
  const schedulingPolicy = schedulingPolicyOption(options.schedulingPolicy);
  const permissions = resolvePermissions(
    options.permissions ?? "inherit",
    defaultInheritProbes({ paths: config === undefined ? [] : [config] }),
  );
  return {
    command: Deno.execPath(),
    permissions,
    args: [
      ...(resourceLimits === undefined
        ? []
        : [resourceLimitFlags(resourceLimits)]),
      ...(config === undefined ? ["--no-config"] : ["--config", config]),
      entry.href,
    ],
    env,
    clearEnv,
    listen,
    resourceLimits,
    schedulingPolicy,
  };
}

/**
 * The programs a plan runs, for the pool's permission check: the worker's
 * command, and `chrt` when it starts workers under `SCHED_BATCH`.
 */
export function launchCommands(plan: WorkerLaunchPlan): string[] {
  return plan.schedulingPolicy === "batch"
    ? [CHRT, plan.command]
    : [plan.command];
}

/**
 * The command line of one worker that listens at `endpoint`: for the
 * default launch, `run`, its permission flags (what was asked, plus what
 * serving at `endpoint` needs), then the plan's arguments (the V8 flags of
 * its resource limits, the config, the entry).
 *
 * @param plan From {@linkcode planWorkerLaunch}.
 * @param endpoint The worker's socket, or the TCP host it binds.
 * @returns What `spawnWorker()` runs.
 */
export function resolveWorkerLaunch(
  plan: WorkerLaunchPlan,
  endpoint: WorkerEndpoint,
): ResolvedWorkerLaunch {
  const { command, env, clearEnv, resourceLimits } = plan;
  if (plan.permissions === undefined) {
    return { command, args: plan.args, env, clearEnv };
  }
  const flags = permissionFlags(plan.permissions, {
    required: requiredWorkerPermissions(endpoint),
  });
  const denoArgs = ["run", ...flags, ...plan.args];
  const launch = plan.schedulingPolicy === "batch"
    ? { command: CHRT, args: ["--batch", "0", command, ...denoArgs] }
    : { command, args: denoArgs };
  return resourceLimits === undefined
    ? { ...launch, env, clearEnv }
    : { ...launch, env, clearEnv, resourceLimits };
}

/**
 * The address a worker listening at `endpoint` is told to listen on:
 * `unix:<path>`, or `<host>:0` for any free TCP port.
 */
export function listenAddress(endpoint: WorkerEndpoint): string {
  if ("socketPath" in endpoint) return `unix:${endpoint.socketPath}`;
  const { host } = endpoint;
  return `${
    host.includes(":") && !host.startsWith("[") ? `[${host}]` : host
  }:0`;
}

function resolveCustomCommand(
  options: WorkerLaunchOptions,
): { command: string; permissions: undefined; args: readonly string[] } {
  const command = nonEmptyString("worker.command", options.command);
  for (
    const name of [
      "permissions",
      "config",
      "resourceLimits",
      "schedulingPolicy",
    ] as const
  ) {
    if (options[name] !== undefined) {
      throw optionError(
        `"worker.${name}" applies only to the default "deno run" launch, not with "worker.command"; put the flags in "worker.args"`,
      );
    }
  }
  const args = options.args ?? [];
  if (!Array.isArray(args)) {
    throw optionError(
      `"worker.args" must be an array of strings, received ${
        describeValue(args)
      }`,
    );
  }
  args.forEach((arg: unknown, index) => {
    if (typeof arg !== "string") {
      throw optionError(
        `"worker.args[${index}]" must be a string, received ${
          describeValue(arg)
        }`,
      );
    }
  });
  return { command, permissions: undefined, args: [...args] };
}

function listenOption(value: unknown): "unix" | "tcp" {
  if (value === undefined) return "unix";
  if (value !== "unix" && value !== "tcp") {
    throw optionError(
      `"worker.listen" must be "unix" or "tcp", received ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

function nonEmptyString(name: string, value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw optionError(
      `"${name}" must be a non-empty string, received ${describeValue(value)}`,
    );
  }
  return value;
}

function optionError(detail: string): TypeError {
  return new TypeError(`Cannot start worker pool: ${detail}`);
}

function schedulingPolicyOption(value: unknown): "normal" | "batch" {
  if (value === undefined || value === "normal") return "normal";
  if (value !== "batch") {
    throw optionError(
      `"worker.schedulingPolicy" must be "normal" or "batch", received ${
        describeValue(value)
      }`,
    );
  }
  if (Deno.build.os !== "linux") {
    throw optionError(
      `"worker.schedulingPolicy" "batch" is Linux's SCHED_BATCH, and this pool runs on ${Deno.build.os}`,
    );
  }
  return value;
}
