import { WoolError } from "../errors.ts";

/**
 * A discovery's engine failed: the DNS server did not answer, the NATS
 * connection dropped, a malformed announcement arrived. It travels as the
 * `error` event of a subscription, which keeps its last known set and
 * keeps trying; the pool reports it through `subscribe()`.
 *
 * @example Reading where a failure came from
 * ```ts
 * import { DiscoveryError } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const error = new DiscoveryError(
 *   'dnsDiscovery("_wool._tcp.workers.test")',
 *   "the SRV query timed out",
 * );
 * assert.equal(error.source, 'dnsDiscovery("_wool._tcp.workers.test")');
 * assert.match(error.message, /timed out/);
 * ```
 */
export class DiscoveryError extends WoolError {
  /** Which discovery failed, e.g. `natsDiscovery("wool.workers")`. */
  readonly source: string;

  /**
   * Builds the error.
   *
   * @param source Which discovery failed, as messages name it.
   * @param problem What went wrong, in a lower-case clause.
   * @param options `cause`: the engine's own error.
   */
  constructor(source: string, problem: string, options?: ErrorOptions) {
    super(`Discovery ${source} failed: ${problem}`, options);
    this.source = source;
  }
}
