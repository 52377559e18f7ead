/**
 * What `worker.permissions: "inherit"` can pass on to a worker, exactly.
 *
 * Deno lists no grant. `Deno.permissions.querySync({ name })` answers
 * `"granted"` only for a grant in full; it answers `"prompt"` both when
 * nothing is granted and when an allow-list is (`--allow-read=/data`), and
 * sets `partial` only for a grant in full narrowed by a deny-list
 * (`-A --deny-read=/secret`). No API reads the process's own flags
 * (`/proc/self/cmdline` needs `--allow-all`). So, per permission name:
 *
 * | the pool's process holds                                                              | the worker gets                               |
 * | ------------------------------------------------------------------------------------- | --------------------------------------------- |
 * | the permission in full (`--allow-read`)                                               | the same (`--allow-read`)                     |
 * | `sys`, in full or in part                                                             | exactly the kinds granted (a closed list)     |
 * | the permission in full with a deny-list (`partial`)                                   | refused: {@linkcode PermissionNotInheritable} |
 * | an allow-list that a probe shows (a path, host, program or variable below is granted) | refused: {@linkcode PermissionNotInheritable} |
 * | nothing a probe shows                                                                 | nothing                                       |
 *
 * The probes are what workers most often need: the working directory, the
 * main module's directory, the config file, the library's own files, the
 * home and temporary directories (`read`, `write`, `ffi`); loopback hosts
 * (`net`); Deno itself, shells and common tools (`run`); the variables
 * Deno, npm and grpc-js read (`env`). An allow-list none of them falls in
 * cannot be seen, and is not passed on: a task that needs it fails with
 * Deno's permission error, and the fix is the same as for a refusal: name
 * the grant in a `worker.permissions` object. `import` is never inherited
 * partially: workers get Deno's default list of import hosts, as the pool
 * did.
 *
 * Refusing is the honest answer to a partial grant: passing on the whole
 * permission would widen it, passing on nothing would drop it unseen.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { WoolError } from "../errors.ts";

/** Where to look for partial grants of the pool's process. */
export interface InheritProbes {
  /** Paths a partial `read`, `write` or `ffi` grant would likely cover. */
  readonly paths: readonly string[];
  /** Programs a partial `run` grant would likely name. */
  readonly commands: readonly string[];
  /** Hosts a partial `net` grant would likely name. */
  readonly hosts: readonly string[];
  /** Variables a partial `env` grant would likely name. */
  readonly variables: readonly string[];
}

/**
 * `"inherit"` met a grant of the pool's process that cannot be passed on
 * exactly: an allow-list, which no Deno API can list, or a deny-list. The
 * message names the permission, what was seen, and the fix: grant it in
 * full or not at all, or name the grants in a `worker.permissions` object.
 *
 * @example Refused at start
 * ```ts
 * import { PermissionNotInheritable } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const error = new PermissionNotInheritable("write", 'it may write "/data"');
 * assert.equal(error.permission, "write");
 * assert.match(error.message, /worker\.permissions/);
 * ```
 */
export class PermissionNotInheritable extends WoolError {
  /** The permission name: `read`, `write`, `net`, `env`, `run`, `ffi`. */
  readonly permission: string;

  /**
   * Builds the error for `permission`.
   *
   * @param permission The permission name.
   * @param seen What shows the grant is partial, e.g. `it may write "/x"`.
   */
  constructor(permission: string, seen: string) {
    super(
      `Cannot start worker pool: "worker.permissions" is "inherit", but this process holds the ${permission} permission only in part (${seen}). ` +
        `Deno cannot list such a grant, so workers cannot inherit it exactly. Grant ${permission} in full (--allow-${permission}) or not at all, ` +
        `or give "worker.permissions" as an object naming what workers need, e.g. { ${permission}: [...] } (or ${permission}: false)`,
    );
    this.permission = permission;
  }
}

/** Every kind of `sys` grant, as Deno 2.9 names them. */
const SYS_KINDS: readonly NonNullable<Deno.SysPermissionDescriptor["kind"]>[] =
  [
    "loadavg",
    "hostname",
    "systemMemoryInfo",
    "networkInterfaces",
    "osRelease",
    "osUptime",
    "uid",
    "gid",
    "username",
    "cpus",
    "homedir",
    "statfs",
    "getPriority",
    "setPriority",
    "ca",
  ];

const VERB: Readonly<Record<string, string>> = {
  read: "read",
  write: "write",
  ffi: "load libraries from",
  net: "reach",
  run: "run",
  env: "read the variable",
};

/**
 * The grant a worker inherits for permission `name` (see the module doc).
 *
 * @param name A permission name (`read`, `write`, `net`, `env`, `run`,
 * `ffi`, `sys`, `import`).
 * @param probes Where to look for a partial grant.
 * @returns `true` (in full), `false` (none), or the exact `sys` kinds.
 * @throws {PermissionNotInheritable} for a grant that cannot be passed on
 * exactly.
 */
export function inheritedGrant(
  name: string,
  probes: InheritProbes = defaultInheritProbes(),
): boolean | readonly string[] {
  const whole = query({ name } as Deno.PermissionDescriptor);
  if (whole.state === "granted" && !whole.partial) return true;
  if (name === "sys") {
    const kinds = SYS_KINDS.filter((kind) =>
      query({ name: "sys", kind }).state === "granted"
    );
    return kinds.length === SYS_KINDS.length ? true : kinds;
  }
  if (whole.state === "granted") {
    throw new PermissionNotInheritable(
      name,
      `it is granted with a deny-list, --deny-${name}`,
    );
  }
  for (const descriptor of probesOf(name, probes)) {
    if (query(descriptor).state === "granted") {
      throw new PermissionNotInheritable(
        name,
        `it may ${VERB[name]} ${JSON.stringify(targetOf(descriptor))}`,
      );
    }
  }
  return false;
}

/**
 * The probes for this process: its working directory, main module, home
 * and temporary directories, the library's own files, loopback hosts, Deno
 * and common programs, and the variables Deno, npm and grpc-js read. Only
 * what this process may read is looked at; nothing is prompted for.
 *
 * @param extra More of each (the config file, the worker command).
 */
export function defaultInheritProbes(
  extra: Partial<InheritProbes> = {},
): InheritProbes {
  const paths = [
    attempt(() => Deno.cwd()),
    attempt(() => fileURLToPath(new URL(".", Deno.mainModule))),
    attempt(() => fileURLToPath(new URL("../../", import.meta.url))),
    variable("HOME"),
    variable("TMPDIR"),
    Deno.build.os === "windows" ? undefined : "/tmp",
    ...extra.paths ?? [],
  ];
  return {
    paths: paths.filter((path): path is string => path !== undefined),
    commands: [
      Deno.execPath(),
      "deno",
      "sh",
      "bash",
      "/bin/sh",
      "node",
      "npm",
      "npx",
      "git",
      "python3",
      ...extra.commands ?? [],
    ],
    hosts: ["127.0.0.1", "localhost", "[::1]", "0.0.0.0", ...extra.hosts ?? []],
    variables: [
      "HOME",
      "PATH",
      "TMPDIR",
      "DENO_DIR",
      "GRPC_VERBOSITY",
      "GRPC_TRACE",
      "NPM_CONFIG_REGISTRY",
      ...extra.variables ?? [],
    ],
  };
}

function probesOf(
  name: string,
  probes: InheritProbes,
): Deno.PermissionDescriptor[] {
  switch (name) {
    case "read":
    case "write":
    case "ffi":
      return probes.paths.map((path) => ({ name, path }));
    case "net":
      return probes.hosts.map((host) => ({ name, host }));
    case "run":
      return probes.commands.map((command) => ({ name, command }));
    case "env":
      return probes.variables.map((variable) => ({ name, variable }));
    default:
      return [];
  }
}

function targetOf(descriptor: Deno.PermissionDescriptor): string {
  const fields = descriptor as unknown as Record<string, unknown>;
  return String(
    fields.path ?? fields.host ?? fields.command ?? fields.variable ?? "",
  );
}

function query(
  descriptor: Deno.PermissionDescriptor,
): Deno.PermissionStatus {
  return Deno.permissions.querySync(descriptor);
}

function variable(name: string): string | undefined {
  if (query({ name: "env", variable: name }).state !== "granted") {
    return undefined;
  }
  return Deno.env.get(name) || undefined;
}

function attempt(read: () => string): string | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
