/**
 * The root of every error @wool/core throws on purpose.
 *
 * Catch it to tell the runtime's own failures from the errors your tasks
 * throw (those arrive with their own class, see {@linkcode RemoteError}).
 *
 * @example Telling runtime failures apart
 * ```ts
 * import { WoolError, PoolClosed } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * assert.ok(new PoolClosed() instanceof WoolError);
 * ```
 */
export abstract class WoolError extends Error {
  /** Builds the error; subclasses set `name` to their class name. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
