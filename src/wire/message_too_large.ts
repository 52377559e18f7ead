import { WoolError } from "../errors.ts";

/**
 * Default `maxMessageBytes`, the largest value or error payload either
 * side sends: 64 MiB. A pool's option (spawned workers get the pool's
 * value); what a standalone worker uses.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/**
 * A frame was larger than `maxMessageBytes`; it was not sent.
 *
 * Raised on the side that would send it: the caller for arguments and sent
 * values, the worker for results and yielded values (and then re-thrown on
 * the caller).
 *
 * @example Reading the sizes
 * ```ts
 * import { MessageTooLarge } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const error = new MessageTooLarge("arguments", 2048, 1024);
 * assert.equal(error.size, 2048);
 * assert.equal(error.limit, 1024);
 * ```
 */
export class MessageTooLarge extends WoolError {
  /** The size of the frame, in bytes. */
  readonly size: number;
  /** The largest frame allowed, in bytes. */
  readonly limit: number;

  /** Builds the error for a frame carrying `what`. */
  constructor(
    what: string,
    size: number,
    limit: number,
    options?: ErrorOptions,
  ) {
    super(
      `Cannot send the ${what}: the frame is ${size} bytes, over the limit of ${limit} bytes (maxMessageBytes)`,
      options,
    );
    this.size = size;
    this.limit = limit;
  }
}
