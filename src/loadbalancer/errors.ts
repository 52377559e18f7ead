import { WoolError } from "../errors.ts";

/** Why one worker did not take a task. */
export interface AttemptCause {
  /** The worker's address, as `pool.workers` shows it. */
  readonly address: string;
  /** The gRPC status name, e.g. `"RESOURCE_EXHAUSTED"`. */
  readonly code: string;
  /** The worker's message: a hook's reason, or the failure's. */
  readonly message: string;
}

/**
 * No worker took the task: every candidate rejected it (backpressure), was
 * unavailable, or failed, or the pool had none.
 *
 * @example Reading why each worker said no
 * ```ts
 * import { NoWorkersAvailable } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const error = new NoWorkersAvailable([
 *   { address: "127.0.0.1:5000", code: "RESOURCE_EXHAUSTED", message: "Rejected by backpressure hook" },
 * ]);
 * assert.equal(error.causes[0].code, "RESOURCE_EXHAUSTED");
 * ```
 */
export class NoWorkersAvailable extends WoolError {
  /** One entry per worker tried, in the order they were tried. */
  readonly causes: readonly AttemptCause[];

  /** Builds the error from the causes gathered over one cycle. */
  constructor(causes: readonly AttemptCause[], options?: ErrorOptions) {
    super(describe(causes), options);
    this.causes = Object.freeze([...causes]);
  }
}

function describe(causes: readonly AttemptCause[]): string {
  if (causes.length === 0) {
    return "No workers available: the pool has no live worker";
  }
  const reasons = causes.map((cause) =>
    `${cause.address} ${cause.code}: ${cause.message}`
  );
  return `No workers available: all ${causes.length} tried declined (${
    reasons.join("; ")
  })`;
}
