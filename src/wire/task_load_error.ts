import { WoolError } from "../errors.ts";

/**
 * A worker could not set up the task a call named: its module cannot be
 * imported (not found, a syntax error, a throw at import, a relative
 * specifier, a missing permission), it has no such export, the export is
 * not a function, or the arguments cannot be decoded.
 *
 * The worker answers with a Nack before the task runs, and the caller
 * rejects the call with this error, rebuilt as its own class; the worker
 * stays in the pool. The cause, when there is one, is the error the worker
 * met (e.g. the module's own throw).
 *
 * @example Telling a load failure from the task's own errors
 * ```ts
 * import { TaskLoadError, WorkerPool } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * await using pool = await WorkerPool.start({ spawn: 1 });
 * const module = "data:text/javascript,export const add = async (a, b) => a + b";
 * await assert.rejects(pool.dispatch({ module, export: "sub", args: [3, 1] }), (error) => {
 *   assert.ok(error instanceof TaskLoadError);
 *   assert.equal(error.module, module);
 *   assert.equal(error.export, "sub");
 *   return true;
 * });
 * ```
 */
export class TaskLoadError extends WoolError {
  /** The module specifier, as the call gave it. */
  readonly module: string;
  /** The export the call named. */
  readonly export: string;

  /**
   * Builds the error.
   *
   * @param module The module specifier, as the call gave it.
   * @param exportName The export the call named.
   * @param reason What went wrong, as a clause: "the module has no export …".
   * @param options Its `cause`.
   */
  constructor(
    module: string,
    exportName: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`Cannot run "${exportName}" from "${module}": ${reason}`, options);
    this.module = module;
    this.export = exportName;
  }
}
