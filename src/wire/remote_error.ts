import { WoolError } from "../errors.ts";

/**
 * An error thrown by a task whose class is not known on the caller's side.
 *
 * Its `name`, `message`, `stack` and `cause` are the remote error's; the
 * remote class name is also kept in `remoteName`. Built-in classes
 * (`TypeError`, `RangeError`, …) arrive as themselves instead.
 *
 * @example Matching on the remote class name
 * ```ts
 * import { RemoteError } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const error = new RemoteError("QuotaExceeded", "over quota");
 * assert.equal(error.name, "QuotaExceeded");
 * assert.equal(error.remoteName, "QuotaExceeded");
 * ```
 */
export class RemoteError extends WoolError {
  /** The class name the error had where it was thrown. */
  readonly remoteName: string;

  /** Builds the error from the remote class name and message. */
  constructor(remoteName: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.remoteName = remoteName;
    this.name = remoteName;
  }
}
