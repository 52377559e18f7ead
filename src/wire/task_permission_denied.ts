/**
 * A permission a task was denied, told in the pool's terms: which
 * `worker.permissions` entry grants it.
 *
 * Task code runs in a worker process under the worker's permissions, not the
 * caller's, so Deno's own advice ("run again with the --allow-read flag")
 * points at the wrong command line. {@linkcode explainTaskPermissionError}
 * rewrites it, keeping Deno's error as `cause`.
 *
 * @module
 */
import { WoolError } from "../errors.ts";
import { permissionRequirementOf } from "../_util/permission_message.ts";

/**
 * A task needed a permission its worker does not have. The message names
 * the permission and the `worker.permissions` entry that grants it; Deno's
 * original error (a `NotCapable`, arriving as a `RemoteError`) is the
 * `cause`.
 *
 * @example Granting what a task was denied
 * ```ts
 * import { TaskPermissionDenied, WorkerPool } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * await using pool = await WorkerPool.start({
 *   spawn: 1,
 *   worker: { config: "./deno.json", permissions: "none" },
 * });
 * const module = "data:text/javascript,export const home = async () => Deno.env.get('HOME')";
 * await assert.rejects(pool.dispatch({ module, export: "home" }), (error) => {
 *   assert.ok(error instanceof TaskPermissionDenied);
 *   assert.equal(error.permission, "env");
 *   assert.equal(error.grant, 'worker: { permissions: { env: ["HOME"] } }');
 *   return true;
 * });
 * ```
 */
export class TaskPermissionDenied extends WoolError {
  /** The permission name, as Deno gives it (`read`, `net`, `env`, …). */
  readonly permission: string;
  /** The path, host, variable or program denied; absent when unnamed. */
  readonly target: string | undefined;
  /** The pool option that grants it, e.g. `worker: { permissions: { read: ["/x"] } }`. */
  readonly grant: string;

  /**
   * Builds the error from the requirement Deno's error named.
   *
   * @param requirement The permission (`name`), and the `target` Deno
   * named or the `placeholder` it showed instead.
   * @param options Its `cause`: Deno's error.
   */
  constructor(
    requirement: {
      readonly name: string;
      readonly target?: string;
      readonly placeholder?: string;
    },
    options?: ErrorOptions,
  ) {
    const { name, target, placeholder } = requirement;
    const grant = `worker: { permissions: { ${name}: ${
      target === undefined ? "true" : `[${JSON.stringify(target)}]`
    } } }`;
    const what = target !== undefined
      ? ` to ${JSON.stringify(target)}`
      : placeholder !== undefined
      ? ` to ${placeholder}`
      : "";
    super(
      `The task was denied ${name} access${what} in its worker: grant it with the pool option ${grant} ` +
        `(the default, "inherit", passes only permissions this process holds in full, e.g. --allow-${name})`,
      options,
    );
    this.permission = name;
    this.target = target;
    this.grant = grant;
  }
}

/**
 * Explains a permission error raised inside a task.
 *
 * Takes the error live (in the worker) or as rebuilt on the caller's side
 * (an error whose `name` is `NotCapable` or `PermissionDenied`).
 *
 * It never throws: a hostile value (a throwing `name` getter, a proxy's
 * trap) is returned as it is, for the error encoder to describe.
 *
 * @param error What the task threw.
 * @returns A {@linkcode TaskPermissionDenied} with `error` as its cause when
 * `error` is one of Deno's permission errors; otherwise `error` itself.
 */
export function explainTaskPermissionError(error: unknown): unknown {
  let requirement: ReturnType<typeof permissionRequirementOf>;
  try {
    requirement = permissionRequirementOf(error);
  } catch {
    return error;
  }
  if (requirement === undefined) return error;
  return new TaskPermissionDenied(requirement, { cause: error });
}
