import { WoolError } from "../errors.ts";

/**
 * The other side of a task's conversation broke the wool protocol: a frame
 * out of turn (a Result where a generator step was due, a stream that ended
 * without its last frame), an error record that is not one, or a gRPC
 * transport limit that is neither a hook's rejection nor a message size.
 *
 * It means a bug or a mismatch (a worker and a caller of different wool
 * versions), not a task's failure: the message names what arrived.
 *
 * @example Catching it as a runtime failure
 * ```ts
 * import { ProtocolError, WoolError } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const error = new ProtocolError('Unexpected "done" frame for a coroutine');
 * assert.ok(error instanceof WoolError);
 * assert.equal(error.name, "ProtocolError");
 * ```
 */
export class ProtocolError extends WoolError {}
