/**
 * Worker permissions as `deno run` flags.
 *
 * `WorkerPoolOptions.worker.permissions` is read the way Deno's own `Worker`
 * reads its `deno.permissions` option, then turned into `--allow-*` flags
 * for the worker's `deno run` command line.
 *
 * ## What a worker needs to run
 *
 * Measured with `npm:@grpc/grpc-js@1.14.7` on Deno 2.9.3 (see
 * {@linkcode requiredWorkerPermissions}), a worker needs, and always gets:
 *
 * - on a Unix socket: `read` and `write` of its pool's socket directory
 *   (Deno asks both to listen on, and to remove, a socket file), and `net`
 *   for its own socket only (`--allow-net=unix:<path>`: Deno checks `net`
 *   for a Unix socket by its exact path, and such a grant allows no TCP at
 *   all). No other network grant.
 * - on TCP: `net` to its host (`--allow-net=127.0.0.1`; any port, so it
 *   binds an ephemeral one). For `localhost`, also the addresses it
 *   resolves to, since Deno checks the resolved address when it listens.
 * - `env` for the variables grpc-js reads when it loads and when it opens
 *   a channel ({@linkcode GRPC_ENV_VARS}).
 *
 * No `read` of this library's own files: the wire protocol is compiled
 * into the module graph (`wire/wool_pb.ts`), not read at start-up.
 *
 * npm packages load from Deno's cache or a `node_modules` folder without
 * any grant. Task and backpressure-hook modules are `import()`ed at run
 * time, so a restricted worker needs `read` for every local file of their
 * module graph (or `import` for remote hosts outside Deno's default list):
 * grant those in `permissions`.
 *
 * @module
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describeValue } from "../_util/describe.ts";
import {
  PERMISSION_NAMES,
  type PermissionName,
} from "../_util/permission_names.ts";
import { UNIX_ADDRESS_PREFIX } from "../wire/launch.ts";
import { inheritedGrant, type InheritProbes } from "./inherit_permissions.ts";

/**
 * The permissions of a worker process, as for Deno's own `Worker`:
 *
 * - `"inherit"`: the grants of the pool's process (see
 *   `inherit_permissions.ts` for what can be inherited);
 * - `"none"`: only what the worker needs to run;
 * - an object with one entry per permission name, each `"inherit"`,
 *   `true` (all), `false` (none) or a list (of paths, hosts, names).
 *
 * Whatever is asked, the worker also gets what it needs to run (see the
 * module doc).
 */
export type WorkerPermissions =
  | "inherit"
  | "none"
  | Deno.PermissionOptionsObject;

export { PERMISSION_NAMES };

/** A permission name a worker can be granted (all of Deno's). */
export type WorkerPermissionName = PermissionName;

/** Lists of grants by permission name, e.g. `{ net: ["127.0.0.1"] }`. */
export type PermissionLists = {
  readonly [name in WorkerPermissionName]?: readonly string[];
};

/** A permission as resolved: in full (`true`), none (`false`), or a list. */
export type Grant = boolean | readonly string[];

/** The grant of each permission name, `"inherit"` resolved. */
export type ResolvedPermissions = Readonly<Record<WorkerPermissionName, Grant>>;

/** Where a worker listens: its Unix socket, or a TCP host. */
export type WorkerEndpoint =
  | { readonly socketPath: string }
  | { readonly host: string };

/** Options of {@linkcode permissionFlags}. */
export interface PermissionFlagsOptions {
  /**
   * Grants merged into whatever `permissions` asks for, so the worker can
   * run; see {@linkcode requiredWorkerPermissions}.
   *
   * @default {{}}
   */
  readonly required?: PermissionLists;
}

/**
 * The environment variables `npm:@grpc/grpc-js@1.14.7` reads: every
 * `process.env` access in its build, found by searching its source and
 * confirmed by running a worker under `--allow-env=<these>` only.
 */
export const GRPC_ENV_VARS: readonly string[] = Object.freeze([
  "GRPC_NODE_VERBOSITY",
  "GRPC_VERBOSITY",
  "GRPC_NODE_TRACE",
  "GRPC_TRACE",
  "GRPC_SSL_CIPHER_SUITES",
  "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH",
  "GRPC_NODE_USE_ALTERNATIVE_RESOLVER",
  "GRPC_NODE_DEBUG_SEND_ERROR_DETAILS",
  "GRPC_EXPERIMENTAL_ENABLE_OUTLIER_DETECTION",
  "grpc_proxy",
  "https_proxy",
  "http_proxy",
  "no_grpc_proxy",
  "no_proxy",
]);

const LIST_OF_PATHS: ReadonlySet<WorkerPermissionName> = new Set([
  "read",
  "write",
  "run",
  "ffi",
]);

/**
 * The grants a worker needs to serve at `endpoint`, whatever its
 * `permissions` say (see the module doc for how they were found): on a
 * Unix socket, `read` and `write` of the socket's directory and `net` to
 * `unix:<socket>` only; on TCP, `net` to the host; always `env` for
 * grpc-js's variables. No `read` of the library's own files.
 *
 * @param endpoint The worker's socket (`{ socketPath }`, absolute), or the
 * host it binds (`{ host }`: `127.0.0.1`, `::1`, `localhost`, …).
 * @returns The grants, by permission name.
 * @throws {TypeError} when the host or path is not a non-empty string.
 */
export function requiredWorkerPermissions(
  endpoint: WorkerEndpoint,
): PermissionLists {
  const read: string[] = [];
  const write: string[] = [];
  const net: string[] = [];
  if ("socketPath" in endpoint) {
    const path = nonEmpty("socket path", endpoint.socketPath);
    read.push(dirname(path));
    write.push(dirname(path));
    net.push(`${UNIX_ADDRESS_PREFIX}${path}`);
  } else net.push(...netHosts(nonEmpty("host", endpoint.host)));
  return { read, write, net, env: [...GRPC_ENV_VARS] };
}

function nonEmpty(what: string, value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw new TypeError(
      `Cannot start worker pool: the worker ${what} must be a non-empty string, received ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

/**
 * Turns resolved worker permissions into `deno run` flags.
 *
 * - `true` → `--allow-<name>`; `false` → nothing; a list →
 *   `--allow-<name>=a,b` (commas inside an entry are escaped as `,,`).
 * - `options.required` lists are merged in: a name granted in full stays
 *   so, any other gets the required entries added.
 *
 * When every name ends up granted in full, the result is `["--allow-all"]`.
 *
 * @param permissions The permissions, from {@linkcode resolvePermissions}.
 * @param options Grants to merge in (`required`).
 * @returns The flags, in a fixed order (read, write, net, env, run, ffi,
 * sys, import).
 */
export function permissionFlags(
  permissions: ResolvedPermissions,
  options: PermissionFlagsOptions = {},
): string[] {
  const required = options.required ?? {};
  const grants = PERMISSION_NAMES.map((name) => {
    const grant = permissions[name];
    const extra = required[name] ?? [];
    if (grant === true) return { name, grant: true as const };
    return { name, grant: unique([...(grant || []), ...extra]) };
  });
  if (grants.every(({ grant }) => grant === true)) return ["--allow-all"];
  const flags: string[] = [];
  for (const { name, grant } of grants) {
    if (grant === true) flags.push(`--allow-${name}`);
    else if (grant.length > 0) {
      flags.push(`--allow-${name}=${grant.map(escapeComma).join(",")}`);
    }
  }
  return flags;
}

/**
 * Reads `worker.permissions` the way Deno's own `Worker` reads its
 * `deno.permissions` option, resolving each `"inherit"` (for all names, or
 * for one name in an object) to what the pool's process holds: see
 * `inherit_permissions.ts` for what can be passed on exactly, and what is
 * refused.
 *
 * @param permissions The permissions asked for.
 * @param probes Where to look for partial grants of the pool's process.
 * @returns A grant per permission name.
 * @throws {TypeError} when `permissions` is not `"inherit"`, `"none"` or an
 * object, has an unknown key, or a value of the wrong type; the message
 * names the option (`worker.permissions.<name>`).
 * @throws {PermissionNotInheritable} when `"inherit"` meets a grant of the
 * pool's process that cannot be passed on exactly.
 */
export function resolvePermissions(
  permissions: WorkerPermissions,
  probes?: InheritProbes,
): ResolvedPermissions {
  const resolved = {} as Record<WorkerPermissionName, Grant>;
  if (permissions === "inherit" || permissions === "none") {
    for (const name of PERMISSION_NAMES) {
      resolved[name] = permissions === "inherit" &&
        inheritedGrant(name, probes);
    }
    return resolved;
  }
  if (
    permissions === null || typeof permissions !== "object" ||
    Array.isArray(permissions)
  ) {
    throw new TypeError(
      `Cannot start worker pool: "worker.permissions" must be "inherit", "none" or an object, received ${
        describeValue(permissions)
      }`,
    );
  }
  for (const key of Object.keys(permissions)) {
    if (!(PERMISSION_NAMES as readonly string[]).includes(key)) {
      throw new TypeError(
        `Cannot start worker pool: unknown permission "worker.permissions.${key}" (known: ${
          PERMISSION_NAMES.join(", ")
        })`,
      );
    }
  }
  for (const name of PERMISSION_NAMES) {
    const value = (permissions as Record<string, unknown>)[name];
    resolved[name] = value === "inherit"
      ? inheritedGrant(name, probes)
      : resolveGrant(name, value);
  }
  return resolved;
}

function resolveGrant(name: WorkerPermissionName, value: unknown): Grant {
  if (value === undefined || value === false) return false;
  if (value === true) return true;
  const paths = LIST_OF_PATHS.has(name);
  if (!Array.isArray(value)) {
    throw new TypeError(
      `Cannot start worker pool: "worker.permissions.${name}" must be "inherit", a boolean or an array of ${
        paths ? "paths or file URLs" : "strings"
      }, received ${describeValue(value)}`,
    );
  }
  return value.map((entry: unknown, index) => {
    if (typeof entry === "string" && entry !== "") return entry;
    if (paths && entry instanceof URL && entry.protocol === "file:") {
      return fileURLToPath(entry);
    }
    throw new TypeError(
      `Cannot start worker pool: "worker.permissions.${name}[${index}]" must be a non-empty string${
        paths ? " or a file URL" : ""
      }, received ${describeValue(entry)}`,
    );
  });
}

function netHosts(host: string): string[] {
  if (host === "localhost") return ["localhost", "127.0.0.1", "[::1]"];
  if (host.includes(":") && !host.startsWith("[")) return [`[${host}]`];
  return [host];
}

function unique(entries: readonly string[]): string[] {
  return [...new Set(entries)];
}

function escapeComma(entry: string): string {
  return entry.replaceAll(",", ",,");
}
