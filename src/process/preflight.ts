/**
 * The permissions the pool's own process needs to start and reach its
 * workers, checked before anything is spawned, so that a missing one fails
 * `WorkerPool.start()` with its flag named, never later as
 * `NoWorkersAvailable`.
 *
 * ## What a pool's process needs (Deno 2.9.3, found by running a pool with
 * one grant at a time removed)
 *
 * | permission                         | why                                                                                  |
 * | ---------------------------------- | ------------------------------------------------------------------------------------ |
 * | `run` of `Deno.execPath()`         | it starts each worker as `deno run …` (or `run` of `worker.command`)                 |
 * | `env` of grpc-js's variables       | grpc-js reads them when it loads and when it opens a channel ({@linkcode GRPC_ENV_VARS}) |
 * | `net` to the workers' host         | it connects to workers on TCP (`127.0.0.1`)                                          |
 * | `net` (unscoped)                   | it connects to workers' Unix sockets: Deno grants a socket only by its exact path (`--allow-net=unix:<path>`), and a pool names its sockets when it starts |
 * | `read` + `write` of the temp dir   | it creates its private (0700) socket directory there, and removes it at close       |
 * | `read` of the config file search   | it finds your `deno.json` as Deno does, unless `worker.config` names it             |
 *
 * The last one depends on where the main module sits, so it is not queried
 * up front: {@linkcode poolPermissionError} turns the `NotCapable` the
 * search raises into the same error. Neither the pool nor its workers
 * read `proto/wool.proto`: the protocol is part of the module graph.
 *
 * @module
 */
import { WoolError } from "../errors.ts";
import { GRPC_ENV_VARS, PERMISSION_NAMES } from "./permissions.ts";
import { permissionRequirementOf } from "../_util/permission_message.ts";

/** One permission the pool's process needs, and why. */
export interface PoolPermission {
  /** What to ask `Deno.permissions.querySync()`. */
  readonly descriptor: Deno.PermissionDescriptor;
  /** Why the pool needs it, in a few words. */
  readonly why: string;
}

/** What the pool will do, from which its permissions follow. */
export interface PoolPermissionOptions {
  /**
   * The programs the pool runs to start a worker: `Deno.execPath()` for the
   * default launch, `worker.command` otherwise (and any wrapper, such as
   * `setpriv`).
   */
  readonly commands: readonly string[];
  /**
   * The TCP hosts the pool connects to its workers on.
   *
   * @default {[]}
   */
  readonly hosts?: readonly string[];
  /**
   * The directory the pool creates its socket directory in, when its
   * workers listen on Unix sockets (the temporary directory).
   *
   * @default {undefined (no Unix sockets)}
   */
  readonly socketParent?: string;
  /**
   * The environment variables the pool's process reads.
   *
   * @default {GRPC_ENV_VARS}
   */
  readonly env?: readonly string[];
}

/** Asks for one permission's state, as `Deno.permissions.querySync` does. */
export type PermissionQuery = (
  descriptor: Deno.PermissionDescriptor,
) => { readonly state: Deno.PermissionState };

/**
 * The pool's process lacks permissions it needs; the message names each
 * missing one, why it is needed, and the flags to add.
 *
 * @example Naming the flag
 * ```ts
 * import { MissingPermission } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const error = new MissingPermission([
 *   { descriptor: { name: "run", command: "/usr/bin/deno" }, why: "it starts worker processes" },
 * ]);
 * assert.deepEqual(error.flags, ["--allow-run=/usr/bin/deno"]);
 * assert.match(error.message, /Run it again with --allow-run=\/usr\/bin\/deno$/);
 * ```
 */
export class MissingPermission extends WoolError {
  /** The permissions not granted. */
  readonly missing: readonly PoolPermission[];
  /** The flags that grant them, one per permission name. */
  readonly flags: readonly string[];

  /** Builds the error for the permissions in `missing`. */
  constructor(missing: readonly PoolPermission[], options?: ErrorOptions) {
    const flags = grantFlags(missing);
    const reasons = [...new Set(missing.map((need) => need.why))];
    super(
      `Cannot start worker pool: this process lacks ${
        missing.length === 1 ? "a permission" : "permissions"
      } the pool needs (${reasons.join("; ")}). Run it again with ${
        flags.join(" ")
      }`,
      options,
    );
    this.missing = Object.freeze([...missing]);
    this.flags = Object.freeze(flags);
  }
}

/**
 * The permissions a pool's process needs for `options`.
 *
 * @param options The commands it runs, the hosts it connects to, its socket
 * directory's parent, the variables it reads.
 * @returns One entry per permission, in flag order.
 */
export function poolPermissions(
  options: PoolPermissionOptions,
): PoolPermission[] {
  const needs: PoolPermission[] = [];
  for (const command of options.commands) {
    needs.push({
      descriptor: { name: "run", command },
      why: "it starts worker processes",
    });
  }
  for (const variable of options.env ?? GRPC_ENV_VARS) {
    needs.push({
      descriptor: { name: "env", variable },
      why: "grpc-js reads its environment variables",
    });
  }
  for (const host of options.hosts ?? []) {
    needs.push({
      descriptor: { name: "net", host },
      why: `it connects to its workers on ${host}`,
    });
  }
  const parent = options.socketParent;
  if (parent !== undefined) {
    const why =
      `it keeps its workers' Unix sockets in a private directory in ${parent}`;
    needs.push({ descriptor: { name: "read", path: parent }, why });
    needs.push({ descriptor: { name: "write", path: parent }, why });
    needs.push({
      descriptor: { name: "net" },
      why:
        "it connects to its workers' Unix sockets, which Deno grants only by exact path (unix:<path>) while the pool names them at start",
    });
  }
  return needs;
}

/**
 * Checks that the pool's process holds every permission it needs.
 *
 * @param options What the pool will do; see {@linkcode poolPermissions}.
 * @param query How to ask; `Deno.permissions.querySync` by default.
 * @throws {MissingPermission} naming every permission not granted and
 * the flags to add.
 */
export function checkPoolPermissions(
  options: PoolPermissionOptions,
  query: PermissionQuery = (descriptor) =>
    Deno.permissions.querySync(descriptor),
): void {
  const missing = poolPermissions(options).filter((need) =>
    query(need.descriptor).state !== "granted"
  );
  if (missing.length > 0) throw new MissingPermission(missing);
}

/**
 * Turns a permission error raised by one of the pool's own start-up steps
 * (finding the config file, making its socket directory) into a
 * {@linkcode MissingPermission} naming the flag; other errors give
 * `undefined`.
 *
 * @param error What the step threw.
 * @param why Why the pool does that step, e.g. `"it finds your deno.json"`.
 * @returns The error to throw instead, with `error` as its cause, or
 * `undefined` when `error` is not a permission error.
 */
export function poolPermissionError(
  error: unknown,
  why: string,
): MissingPermission | undefined {
  const requirement = permissionRequirementOf(error);
  if (requirement === undefined) return undefined;
  const descriptor = descriptorFor(requirement.name, requirement.target);
  if (descriptor === undefined) return undefined;
  return new MissingPermission([{ descriptor, why }], { cause: error });
}

function descriptorFor(
  name: string,
  target: string | undefined,
): Deno.PermissionDescriptor | undefined {
  switch (name) {
    case "read":
    case "write":
    case "ffi":
      return target === undefined ? { name } : { name, path: target };
    case "net":
    case "import":
      return target === undefined ? { name } : { name, host: target };
    case "env":
      return target === undefined ? { name } : { name, variable: target };
    case "run":
      return target === undefined ? { name } : { name, command: target };
    case "sys":
      return target === undefined
        ? { name }
        : { name, kind: target as Deno.SysPermissionDescriptor["kind"] };
    default:
      return undefined;
  }
}

const FLAG_ORDER: readonly string[] = PERMISSION_NAMES;

/**
 * The `deno run` flags that grant `needs`: one per permission name,
 * unscoped when any need of that name is.
 *
 * @param needs Permissions, e.g. from {@linkcode poolPermissions}.
 * @returns The flags, e.g. `["--allow-net=127.0.0.1", "--allow-run=/usr/bin/deno"]`.
 */
export function grantFlags(needs: readonly PoolPermission[]): string[] {
  const byName = new Map<string, Set<string> | "all">();
  for (const { descriptor } of needs) {
    const value = scopeOf(descriptor);
    const seen = byName.get(descriptor.name);
    if (seen === "all" || value === undefined) {
      byName.set(descriptor.name, "all");
    } else if (seen === undefined) {
      byName.set(descriptor.name, new Set([value]));
    } else seen.add(value);
  }
  return [...byName].sort(([a], [b]) =>
    FLAG_ORDER.indexOf(a) - FLAG_ORDER.indexOf(b)
  ).map(([name, values]) =>
    values === "all"
      ? `--allow-${name}`
      : `--allow-${name}=${
        [...values].map((value) => value.replaceAll(",", ",,")).join(",")
      }`
  );
}

function scopeOf(descriptor: Deno.PermissionDescriptor): string | undefined {
  switch (descriptor.name) {
    case "read":
    case "write":
    case "ffi":
      return descriptor.path?.toString();
    case "net":
    case "import":
      return descriptor.host;
    case "env":
      return descriptor.variable;
    case "run":
      return descriptor.command?.toString();
    case "sys":
      return descriptor.kind;
    default:
      return undefined;
  }
}
