/**
 * What goes wrong admitting workers the pool did not spawn: one worker
 * that cannot be admitted ({@linkcode WorkerUnavailable}, reported through
 * `pool.subscribe()`, never thrown at a call), and a `quorum` that was not
 * met in time ({@linkcode QuorumNotMet}, thrown by `WorkerPool.start()`).
 *
 * @module
 */
import { WoolError } from "../errors.ts";

/**
 * Why a discovered worker was not admitted:
 * - `"unreachable"`: no connection (refused, timed out, a TLS handshake
 *   that failed: a certificate the pool's `credentials.tls.ca` did not
 *   sign, or a worker refusing the pool's client certificate), or no
 *   answer to `Info` in time;
 * - `"unauthenticated"`: it refused the pool's credentials
 *   (`UNAUTHENTICATED`): `credentials.token` is not its `--token-file`;
 * - `"incompatible"`: it speaks another protocol version, or does not
 *   serve `Info` (a worker older than the pool);
 * - `"draining"`: it is stopping (SIGTERM), and takes no new task;
 * - `"untagged"`: it lacks some of the pool's `tags`.
 */
export type UnavailableReason =
  | "unreachable"
  | "unauthenticated"
  | "incompatible"
  | "draining"
  | "untagged";

/**
 * A discovered worker the pool could not admit, and why. It is reported as
 * the `error` of an `"unavailable"` event of `pool.subscribe()`, and listed
 * in {@linkcode QuorumNotMet.causes}.
 *
 * @example Reading why a worker was not admitted
 * ```ts
 * import { WorkerUnavailable } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const error = new WorkerUnavailable(
 *   "127.0.0.2:5001",
 *   "unauthenticated",
 *   "it refused the pool's credentials (UNAUTHENTICATED)",
 * );
 * assert.equal(error.reason, "unauthenticated");
 * assert.match(error.message, /127\.0\.0\.2:5001/);
 * ```
 */
export class WorkerUnavailable extends WoolError {
  /** The worker's address, as its discovery gave it. */
  readonly address: string;
  /** Why it was not admitted. */
  readonly reason: UnavailableReason;

  /**
   * Builds the error.
   *
   * @param address The worker's address.
   * @param reason Why it was not admitted.
   * @param problem What happened, in a lower-case clause.
   * @param options `cause`: the underlying failure (a gRPC error).
   */
  constructor(
    address: string,
    reason: UnavailableReason,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`Worker ${address} was not admitted: ${problem}`, options);
    this.address = address;
    this.reason = reason;
  }
}

/** What {@linkcode QuorumNotMet} is built from. */
export interface QuorumShortfall {
  /** The ready workers `start()` waited for (`quorum`). */
  readonly quorum: number;
  /** The ready workers there were when the time ran out. */
  readonly ready: number;
  /** How long `start()` waited (`quorumTimeoutMs`). */
  readonly timeoutMs: number;
  /**
   * The latest failure of each discovered worker that was not admitted,
   * and the discovery's latest error, if any.
   */
  readonly causes: readonly WoolError[];
}

/**
 * `WorkerPool.start()` waited `quorumTimeoutMs` for `quorum` ready workers
 * and there were fewer; the pool it was starting is closed, leaving
 * nothing running. `causes` says what kept the others out.
 *
 * @example What a quorum that was not met says
 * ```ts
 * import { QuorumNotMet, WorkerUnavailable } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const error = new QuorumNotMet({
 *   quorum: 2,
 *   ready: 1,
 *   timeoutMs: 5000,
 *   causes: [new WorkerUnavailable("127.0.0.3:5001", "unreachable", "connection refused")],
 * });
 * assert.match(error.message, /quorum of 2 ready workers/);
 * assert.match(error.message, /127\.0\.0\.3:5001/);
 * ```
 */
export class QuorumNotMet extends WoolError {
  /** The ready workers `start()` waited for. */
  readonly quorum: number;
  /** The ready workers there were when the time ran out. */
  readonly ready: number;
  /** How long `start()` waited, in milliseconds. */
  readonly timeoutMs: number;
  /** What kept the other workers out, latest first per worker. */
  readonly causes: readonly WoolError[];

  /** Builds the error from the shortfall. */
  constructor(shortfall: QuorumShortfall, options?: ErrorOptions) {
    const { quorum, ready, timeoutMs, causes } = shortfall;
    const why = causes.length === 0
      ? "no other worker was found"
      : causes.map((cause) => cause.message).join("; ");
    super(
      `Cannot start worker pool: the quorum of ${quorum} ready workers was not met within ${timeoutMs} ms (quorumTimeoutMs): ${ready} ready; ${why}`,
      options,
    );
    this.quorum = quorum;
    this.ready = ready;
    this.timeoutMs = timeoutMs;
    this.causes = Object.freeze([...causes]);
  }
}
