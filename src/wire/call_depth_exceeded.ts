import { WoolError } from "../errors.ts";

/**
 * A nested call would be deeper than the pool's `maxCallDepth`: it was not
 * dispatched. A task calling tasks that call tasks (through
 * `currentPool()`) nests one level per call; the pool refuses the call
 * that would go past its limit, and the task that made it receives this
 * error, which it may catch.
 *
 * @example Reading the depth and the limit
 * ```ts
 * import { CallDepthExceeded } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const error = new CallDepthExceeded(17, 16);
 * assert.equal(error.depth, 17);
 * assert.equal(error.limit, 16);
 * ```
 */
export class CallDepthExceeded extends WoolError {
  /** The depth the refused call would have had (1 for a call a top-level task makes). */
  readonly depth: number;
  /** The pool's `maxCallDepth`. */
  readonly limit: number;

  /** Builds the error for a call of nesting depth `depth` over `limit`. */
  constructor(depth: number, limit: number, options?: ErrorOptions) {
    super(
      `Cannot make a nested call of depth ${depth}: the pool allows at most ${limit} levels of nested calls (maxCallDepth)`,
      options,
    );
    this.depth = depth;
    this.limit = limit;
  }
}
