/**
 * `--config FILE`: task modules resolve through a Deno config file (its
 * import map, its npm dependencies), but a running Deno process cannot
 * switch config. So a standalone worker given `--config` re-launches
 * itself once, as `deno run --config FILE <its module> <its arguments>`,
 * and becomes the launcher of that child:
 *
 * - the child gets exactly the grants the launcher holds in full (see
 *   `src/process/inherit_permissions.ts`); a grant held in part (an
 *   allow-list, a deny-list) cannot be passed on exactly, so the launcher
 *   refuses to start, naming `--config`, rather than widen or drop it;
 * - stdout and stderr are the launcher's (the ready line is the child's);
 *   SIGTERM and SIGINT are forwarded (the child drains; a second one stops
 *   it), and the launcher exits with the child's exit code;
 * - the child runs in a process group of its own, so a Ctrl-C at a
 *   terminal reaches it once, through the launcher, not twice;
 * - its stdin is a pipe from the launcher that is never written: if the
 *   launcher dies (SIGKILL), the pipe closes and the child stops at once;
 * - the child finds the launcher's pid in {@linkcode RELAUNCH_VARIABLE}
 *   and serves, rather than re-launch again; the variable is removed
 *   before any task runs, and a worker started by a task (whose parent is
 *   not that launcher) is not fooled by it.
 *
 * @module
 */
import { resolve } from "node:path";
import {
  defaultInheritProbes,
  inheritedGrant,
  PermissionNotInheritable,
} from "../process/inherit_permissions.ts";
import { PERMISSION_NAMES } from "../process/permissions.ts";
import { WorkerUsageError } from "./cli_usage_error.ts";

/** The variable telling a re-launched worker its launcher's pid. */
export const RELAUNCH_VARIABLE = "WOOL_WORKER_LAUNCHER";

/** Signals the launcher passes on to its child. */
const FORWARDED: readonly Deno.Signal[] = ["SIGTERM", "SIGINT"];

/**
 * Whether this process is a worker its launcher re-launched under
 * `--config` (see the module doc). Removes the marker either way.
 */
export function isRelaunched(): boolean {
  let launcher: string | undefined;
  try {
    launcher = Deno.env.get(RELAUNCH_VARIABLE);
    if (launcher !== undefined) Deno.env.delete(RELAUNCH_VARIABLE);
  } catch {
    // No env grant for it: no launcher gave one, so none set it.
    return false;
  }
  return launcher !== undefined && launcher === String(Deno.ppid);
}

/**
 * Re-launches this worker under `configFile` with `argv`, forwarding
 * signals, and resolves with the exit code to exit with once the child
 * exited.
 *
 * @throws {WorkerUsageError} naming `--config` when the file does not
 * exist, this worker is a compiled binary, it may not run Deno, or it holds
 * a grant that cannot be passed on exactly.
 */
export async function relaunchUnderConfig(
  configFile: string,
  argv: readonly string[],
): Promise<number> {
  const config = resolve(configFile);
  const flags = relaunchFlags(config);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      ...flags,
      "--config",
      config,
      Deno.mainModule,
      ...argv,
    ],
    env: { [RELAUNCH_VARIABLE]: String(Deno.pid) },
    stdin: "piped",
    stdout: "inherit",
    stderr: "inherit",
    detached: true,
  }).spawn();
  const forward = FORWARDED.map((signal) => {
    const listener = () => {
      try {
        child.kill(signal);
      } catch {
        // It exited already: its status is on its way.
      }
    };
    Deno.addSignalListener(signal, listener);
    return () => Deno.removeSignalListener(signal, listener);
  });
  try {
    return (await child.status).code;
  } finally {
    for (const stop of forward) stop();
    await child.stdin.close().catch(() => {});
  }
}

/**
 * The `deno run` permission flags passing on the grants this process
 * holds, and `--allow-env` for the marker when env is not granted in full.
 *
 * @throws {WorkerUsageError} naming `--config` (see
 * {@linkcode relaunchUnderConfig}).
 */
export function relaunchFlags(config: string): string[] {
  try {
    if (!Deno.statSync(config).isFile) {
      throw new WorkerUsageError(
        "--config",
        `${JSON.stringify(config)} is not a file`,
      );
    }
  } catch (error) {
    if (error instanceof WorkerUsageError) throw error;
    throw new WorkerUsageError(
      "--config",
      `cannot read ${JSON.stringify(config)}: ${(error as Error).message}`,
    );
  }
  if (Deno.build.standalone) {
    throw new WorkerUsageError(
      "--config",
      "a compiled worker cannot re-launch under a config: compile it with deno compile --config FILE instead",
    );
  }
  const flags: string[] = [];
  const probes = defaultInheritProbes({ paths: [config] });
  for (const name of PERMISSION_NAMES) {
    let grant: boolean | readonly string[];
    try {
      grant = inheritedGrant(name, probes);
    } catch (error) {
      if (!(error instanceof PermissionNotInheritable)) throw error;
      throw new WorkerUsageError(
        "--config",
        `cannot re-launch under the config with the same grants: this worker holds the ${name} permission only in part, which Deno cannot list to pass on; grant it in full (--allow-${name}, or -A) or not at all`,
      );
    }
    if (grant === true) flags.push(`--allow-${name}`);
    else if (Array.isArray(grant) && grant.length > 0) {
      flags.push(`--allow-${name}=${grant.join(",")}`);
    } else if (name === "env") flags.push(`--allow-env=${RELAUNCH_VARIABLE}`);
  }
  const run = Deno.permissions.querySync({
    name: "run",
    command: Deno.execPath(),
  });
  if (run.state !== "granted") {
    throw new WorkerUsageError(
      "--config",
      `re-launching under the config runs ${Deno.execPath()}: grant --allow-run (or -A)`,
    );
  }
  return flags;
}

/**
 * Resolves once this process's launcher is gone: the pipe it holds as
 * this process's stdin closed. Only for a re-launched worker.
 */
export async function launcherGone(): Promise<void> {
  try {
    for await (const _ of Deno.stdin.readable) {
      // The launcher never writes; only the end of the pipe matters.
    }
  } catch {
    // A broken pipe means the same: the launcher is gone.
  }
}
