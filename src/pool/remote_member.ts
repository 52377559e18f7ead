/**
 * One discovered worker while it is in the pool: its roster entry, the
 * watch on its connection, its liveness probe, and how it leaves.
 *
 * - It joins the roster when made, under a fresh id (a worker that leaves
 *   and comes back joins again under another).
 * - Its connection going down (the worker went away, the network broke)
 *   makes it leave as `"unreachable"`.
 * - Probed (`Info` every `unresponsiveMs / 4`): no answer within
 *   `unresponsiveMs` is `"unreachable"` — the pool never kills a worker it
 *   did not spawn — `UNAUTHENTICATED` is `"unauthenticated"`, an answer
 *   that says draining is `"draining"`.
 * - Leaving `"unreachable"` or `"closed"` closes the connection at once,
 *   failing the calls still on it with `WorkerCrashed`. Leaving for any
 *   other reason stops new tasks at once and closes the connection once
 *   every permit is back (its calls in flight have ended, open generator
 *   streams included); the probe keeps watching meanwhile, and a worker
 *   that hangs while it drains has its connection closed.
 *
 * @module
 */
import type { WorkerId } from "../loadbalancer/load_balancer.ts";
import type { WorkerDetails } from "../wire/worker_details.ts";
import { type LivenessProbe, startLivenessProbe } from "./liveness_probe.ts";
import type { RemoteConnection } from "./remote_dial.ts";
import type { LeaveReason, Roster } from "./roster.ts";
import type { StatsBook } from "./stats.ts";

/** What a member is made of. */
export interface RemoteMemberOptions {
  readonly id: WorkerId;
  /** Its address, as its discovery gave it. */
  readonly address: string;
  readonly connection: RemoteConnection;
  /** Its `Info` answer when it was dialed. */
  readonly details: WorkerDetails;
  readonly roster: Roster;
  readonly stats: StatsBook;
  /** Probe silence (ms) that means unreachable; 0: no probe. */
  readonly unresponsiveMs: number;
  /** Aborts every drain: the pool is closing. */
  readonly closing: AbortSignal;
  /** Called once, as it leaves the roster, with why. */
  readonly onLeft: (reason: LeaveReason) => void;
}

/** A discovered worker in the roster. */
export class RemoteMember {
  readonly id: WorkerId;
  readonly #options: RemoteMemberOptions;
  readonly #probe: LivenessProbe | undefined;
  #state: "member" | "draining" | "gone" = "member";
  #drained: Promise<void> = Promise.resolve();

  /** Adds the worker to the roster, and starts watching it. */
  constructor(options: RemoteMemberOptions) {
    this.#options = options;
    const { id, address, connection, details, roster, stats } = options;
    this.id = id;
    stats.track(id, address);
    roster.add({
      info: Object.freeze({
        id,
        address,
        pid: details.pid,
        tags: details.tags,
      }),
      connection,
      exited: undefined,
    });
    void connection.lost().then(() => this.leave("unreachable"));
    this.#probe = this.#startProbe();
  }

  /** Whether it is still in the roster. */
  get joined(): boolean {
    return this.#state === "member";
  }

  /**
   * Resolves once its connection is closed, after it left (at once while
   * it is a member).
   */
  get drained(): Promise<void> {
    return this.#drained;
  }

  /**
   * Takes it out of the roster (once; later calls are ignored) and closes
   * its connection, at once or once its calls have ended.
   */
  leave(reason: LeaveReason): void {
    if (this.#state !== "member") return;
    this.#options.roster.remove(this.id, reason);
    if (reason === "unreachable" || reason === "closed") {
      this.#close();
    } else {
      this.#state = "draining";
      this.#drained = this.#drain();
    }
    this.#options.onLeft(reason);
  }

  /** Closes its connection now, whether a member or draining. */
  close(): void {
    if (this.#state === "member") this.leave("closed");
    else this.#close();
  }

  async #drain(): Promise<void> {
    const { connection, closing } = this.#options;
    await connection.permits.idle(closing);
    this.#close();
  }

  #close(): void {
    if (this.#state === "gone") return;
    this.#state = "gone";
    this.#probe?.stop();
    this.#options.connection.close();
  }

  #startProbe(): LivenessProbe | undefined {
    const { unresponsiveMs, connection } = this.#options;
    if (unresponsiveMs === 0) return undefined;
    return startLivenessProbe<WorkerDetails>({
      idle: (timeoutMs) => connection.info(timeoutMs),
      intervalMs: unresponsiveMs / 4,
      unresponsiveMs,
      probed: () => this.#state !== "gone",
      onReport: ({ draining }) => {
        if (draining) this.leave("draining");
      },
      onRefused: () => this.leave("unauthenticated"),
      // One that hangs while it drains fails its calls, as a member would.
      onUnresponsive: () =>
        this.#state === "member" ? this.leave("unreachable") : this.#close(),
    });
  }
}
