/**
 * How a worker process is launched: the public `worker` options of a pool,
 * and their resolved form, the command line that `spawnWorker()` runs.
 *
 * This is the only place that turns launch options into a command line;
 * `worker_process.ts` only runs what it is given.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";
import { WORKER_HOST } from "../wire/launch.ts";
import { findDenoConfig } from "./config_file.ts";
import { permissionFlags, requiredWorkerPermissions } from "./permissions.ts";

/**
 * How a pool launches its worker processes (`WorkerPoolOptions.worker`).
 *
 * By default a worker is `deno run <permission flags> --config <the
 * caller's deno.json> <worker entry>`, run by the same Deno binary as the
 * caller. Give `command` (and `args`) to run something else that speaks the
 * worker protocol instead, e.g. a worker compiled with `deno compile`; the
 * pool then adds nothing to its command line, so `permissions` and `config`
 * do not apply.
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
   * also always gets what it needs to serve gRPC (`net` to its host, `env`
   * for grpc-js's variables, `read` of the proto file). Task and hook
   * modules are imported at run time, so a restricted worker needs `read`
   * of their files. Only for the default `deno run` launch.
   *
   * @default {"inherit"}
   */
  readonly permissions?: "inherit" | "none" | Deno.PermissionOptionsObject;
  /**
   * Environment variables added to those the worker inherits.
   *
   * @default {{}}
   */
  readonly env?: Readonly<Record<string, string>>;
}

/** A launch resolved into the command line that spawns a worker. */
export interface ResolvedWorkerLaunch {
  /** The program to run. */
  readonly command: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** Environment variables added to the inherited environment. */
  readonly env: Readonly<Record<string, string>>;
}

/** Options of {@linkcode resolveWorkerLaunch}. */
export interface ResolveWorkerLaunchOptions {
  /**
   * The host workers bind, whose `net` grant a worker always gets.
   *
   * @default {WORKER_HOST}
   */
  readonly host?: string;
}

const KNOWN_OPTIONS: readonly string[] = [
  "command",
  "args",
  "config",
  "permissions",
  "env",
];

/**
 * Validates launch options and resolves them into a command line.
 *
 * Without `command`: `Deno.execPath() run <permission flags> --config
 * <config> <entry>`, where the config is `options.config`, else the file
 * Deno uses for the caller's main module ({@linkcode findDenoConfig}), else
 * `--no-config`. With `command`: `command` and `args` as given.
 *
 * @param options The `worker` options of a pool; `undefined` for defaults.
 * @param entry The worker entry module the default launch runs.
 * @param resolveOptions The host workers bind (for their `net` grant).
 * @returns The command line, and the environment added to the inherited
 * one.
 * @throws {TypeError} when an option has the wrong type, is unknown, or does
 * not apply (`args` without `command`; `permissions` or `config` with it);
 * the message names the option (`worker.<name>`).
 */
export function resolveWorkerLaunch(
  options: WorkerLaunchOptions | undefined,
  entry: URL,
  resolveOptions: ResolveWorkerLaunchOptions = {},
): ResolvedWorkerLaunch {
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
  const env = resolveEnv(options.env);
  if (options.command !== undefined) {
    return resolveCustomCommand(options, env);
  }
  if (options.args !== undefined) {
    throw optionError(
      `"worker.args" applies only with "worker.command"; the default launch is "deno run <flags> <worker entry>"`,
    );
  }
  const config = options.config === undefined
    ? findDenoConfig()
    : nonEmptyString("worker.config", options.config);
  const flags = permissionFlags(options.permissions ?? "inherit", {
    required: requiredWorkerPermissions(resolveOptions.host ?? WORKER_HOST),
  });
  return {
    command: Deno.execPath(),
    args: [
      "run",
      ...flags,
      ...(config === undefined ? ["--no-config"] : ["--config", config]),
      entry.href,
    ],
    env,
  };
}

function resolveCustomCommand(
  options: WorkerLaunchOptions,
  env: Record<string, string>,
): ResolvedWorkerLaunch {
  const command = nonEmptyString("worker.command", options.command);
  for (const name of ["permissions", "config"] as const) {
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
  return { command, args: [...args], env };
}

function resolveEnv(env: unknown): Record<string, string> {
  if (env === undefined) return {};
  if (env === null || typeof env !== "object" || Array.isArray(env)) {
    throw optionError(
      `"worker.env" must be an object of strings, received ${
        describeValue(env)
      }`,
    );
  }
  const resolved: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key === "" || key.includes("=") || key.includes("\0")) {
      throw optionError(
        `"worker.env" has an invalid variable name ${describeValue(key)}`,
      );
    }
    if (typeof value !== "string" || value.includes("\0")) {
      throw optionError(
        `"worker.env.${key}" must be a string without NUL characters, received ${
          describeValue(value)
        }`,
      );
    }
    resolved[key] = value;
  }
  return resolved;
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
