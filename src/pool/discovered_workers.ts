/**
 * The pool's discovered workers: which of the workers its discovery found
 * are admitted, dialing them, joining them to the roster, probing them,
 * taking them out, and dialing them again. The roster stays the single
 * place where membership changes; this is what feeds it with workers the
 * pool did not spawn (as `fleet.ts` does with those it spawned).
 *
 * Each worker the discovery lists is a candidate, in one state at a time:
 *
 * ```text
 *            ┌──────── lease slot free ────────┐
 * found ─► waiting ─► dialing ─► Info ok ─► member ──leaves (any reason)──┐
 *            ▲           │                                                 │
 *            │           └─ unavailable: reported ─► resting ◄─────────────┘
 *            └──────────── after its backoff ◄─────────┘
 * untagged (by its discovery, or its Info) ─► excluded, until its discovery reports a change
 * lost by the discovery, in any state ─► gone (a member leaves as "withdrawn" first)
 * ```
 *
 * - **Lease.** At most `lease` candidates are dialing or members at once;
 *   the others wait in the order they were found, and the first waiting
 *   one takes each slot that frees (a member leaving, a dial failing).
 * - **Members** (`remote_member.ts`) leave when their discovery loses
 *   them (`"withdrawn"`), when they say they are draining, when the
 *   dispatcher or the probe finds them refusing the pool's credentials or
 *   failing (`"unauthenticated"`, `"evicted"`), or when their connection
 *   breaks or they miss a probe (`"unreachable"`). All but a withdrawn
 *   worker are dialed again, after a backoff that grows while they keep
 *   failing; one that comes back joins again, under a new id.
 * - **Closing** closes every connection and leaves the workers running.
 *
 * @module
 */
import { Backoff, type BackoffOptions, pause } from "./backoff.ts";
import type { DiscoveredWorker } from "../discovery/discovery.ts";
import type { DiscoveryError } from "../discovery/errors.ts";
import type { WorkerId } from "../loadbalancer/load_balancer.ts";
import type { WoolError } from "../errors.ts";
import type { WorkerDetails } from "../wire/worker_details.ts";
import type { Removal } from "./dispatcher.ts";
import { WorkerUnavailable } from "./membership_errors.ts";
import type { Roster } from "./roster.ts";
import { RemoteMember } from "./remote_member.ts";
import type { StatsBook } from "./stats.ts";
import {
  type Dial,
  missingTags,
  type RemoteConnection,
} from "./remote_dial.ts";

/** The slice of the pool its discovered workers work with. */
export interface DiscoveredWorkersOptions {
  readonly dial: Dial;
  readonly roster: Roster;
  readonly stats: StatsBook;
  /** Tags a worker must all carry, checked against its discovery's. */
  readonly tags: readonly string[];
  /** Most candidates dialing or members at once. */
  readonly lease: number;
  /** A member silent this long (ms) to probes leaves; 0: never probed. */
  readonly unresponsiveMs: number;
  /** How long to wait before dialing again a worker that failed. */
  readonly retry: BackoffOptions;
}

type State = "waiting" | "dialing" | "member" | "resting" | "excluded";

interface Candidate {
  worker: DiscoveredWorker;
  state: State;
  /** Lost by its discovery: never dialed again. */
  gone: boolean;
  readonly backoff: Backoff;
  /** Aborts its dial or its rest when it is lost or the pool closes. */
  readonly stop: AbortController;
  member?: RemoteMember;
  lastFailure?: WorkerUnavailable;
}

/** Admits, watches and retries the workers a discovery finds. */
export class DiscoveredWorkers {
  readonly #options: DiscoveredWorkersOptions;
  readonly #candidates = new Map<string, Candidate>();
  readonly #byId = new Map<WorkerId, Candidate>();
  readonly #waiting = new Set<Candidate>();
  /** Addresses a candidate is dialing or a member at. */
  readonly #taken = new Set<string>();
  /** Members that left, closing their connections once their calls end. */
  readonly #draining = new Set<RemoteMember>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #closing = new AbortController();
  #slots = 0;
  #nextId = 1;
  #lastDiscoveryError: DiscoveryError | undefined;

  constructor(options: DiscoveredWorkersOptions) {
    this.#options = options;
  }

  /** Whether `id` is one of these workers. */
  owns(id: WorkerId): boolean {
    return this.#byId.has(id);
  }

  /** The discovery lists `worker` (newly, or again after re-subscribing). */
  found(worker: DiscoveredWorker): void {
    if (this.#closing.signal.aborted) return;
    const known = this.#candidates.get(worker.key);
    if (known !== undefined) return this.changed(worker);
    const candidate: Candidate = {
      worker,
      state: "excluded",
      gone: false,
      backoff: new Backoff(this.#options.retry),
      stop: new AbortController(),
    };
    this.#candidates.set(worker.key, candidate);
    this.#consider(candidate);
  }

  /** The discovery says a known worker's tags or details changed. */
  changed(worker: DiscoveredWorker): void {
    const candidate = this.#candidates.get(worker.key);
    if (candidate === undefined) return this.found(worker);
    if (candidate.worker.address !== worker.address) {
      this.lost(worker.key);
      return this.found(worker);
    }
    candidate.worker = worker;
    if (candidate.state === "excluded") this.#consider(candidate);
  }

  /** The discovery no longer lists the worker under `key`. */
  lost(key: string): void {
    const candidate = this.#candidates.get(key);
    if (candidate === undefined) return;
    this.#candidates.delete(key);
    candidate.gone = true;
    candidate.stop.abort();
    this.#waiting.delete(candidate);
    candidate.member?.leave("withdrawn");
  }

  /** The discovery failed: reported, and kept for `failures()`. */
  failed(error: DiscoveryError): void {
    this.#lastDiscoveryError = error;
    this.#options.roster.report({ type: "discovery-error", error });
  }

  /**
   * Takes member `id` out, as the dispatcher decided (`reason`), or because
   * it refused a task as stopping (`"draining"`); it is dialed again after
   * its backoff.
   */
  evict(id: WorkerId, reason: Removal | "draining"): void {
    this.#byId.get(id)?.member?.leave(reason);
  }

  /**
   * Why the candidates that are not members are out (the latest failure of
   * each), and the discovery's latest error: what a quorum that was not met
   * names.
   */
  failures(): WoolError[] {
    const failures: WoolError[] = [];
    for (const candidate of this.#candidates.values()) {
      if (candidate.state !== "member" && candidate.lastFailure) {
        failures.push(candidate.lastFailure);
      }
    }
    if (this.#lastDiscoveryError) failures.push(this.#lastDiscoveryError);
    return failures;
  }

  /**
   * Closes every connection, members (they leave as `"closed"`) and
   * draining ones alike; the workers keep running.
   */
  async close(): Promise<void> {
    this.#closing.abort();
    for (const candidate of this.#candidates.values()) candidate.stop.abort();
    for (const candidate of this.#byId.values()) candidate.member?.close();
    for (const member of this.#draining) member.close();
    await Promise.allSettled([...this.#pending]);
  }

  /** Queues a candidate to dial, unless its discovery's tags rule it out. */
  #consider(candidate: Candidate): void {
    const missing = missingTags(this.#options.tags, candidate.worker.tags);
    if (missing.length > 0) {
      candidate.state = "excluded";
      this.#report(
        candidate,
        new WorkerUnavailable(
          candidate.worker.address,
          "untagged",
          `its discovery lists it without the pool's tags ${
            missing.join(", ")
          }`,
        ),
        undefined,
      );
      return;
    }
    candidate.state = "waiting";
    this.#waiting.add(candidate);
    this.#fill();
  }

  /**
   * Dials waiting candidates while lease slots are free, one at a time per
   * address: a worker listed under two keys (a NATS worker restarted under
   * a new id, its old announcement not yet expired) is one member.
   */
  #fill(): void {
    if (this.#closing.signal.aborted) return;
    for (const candidate of this.#waiting) {
      if (this.#slots >= this.#options.lease) return;
      if (this.#taken.has(candidate.worker.address)) continue;
      this.#waiting.delete(candidate);
      this.#taken.add(candidate.worker.address);
      this.#slots++;
      candidate.state = "dialing";
      this.#track(this.#dial(candidate));
    }
  }

  async #dial(candidate: Candidate): Promise<void> {
    const outcome = await this.#options.dial(
      candidate.worker,
      candidate.stop.signal,
    );
    if (outcome.kind === "ready" && !this.#closed(candidate)) {
      return this.#join(candidate, outcome.connection, outcome.details);
    }
    if (outcome.kind === "ready") outcome.connection.close();
    this.#slots--;
    this.#taken.delete(candidate.worker.address);
    if (outcome.kind === "unavailable" && !this.#closed(candidate)) {
      this.#fail(candidate, outcome.error);
    }
    this.#fill();
  }

  #join(
    candidate: Candidate,
    connection: RemoteConnection,
    details: WorkerDetails,
  ): void {
    const id = `d${this.#nextId++}` as WorkerId;
    candidate.state = "member";
    candidate.lastFailure = undefined;
    candidate.backoff.succeeded();
    this.#byId.set(id, candidate);
    const member = new RemoteMember({
      id,
      address: candidate.worker.address,
      connection,
      details,
      roster: this.#options.roster,
      stats: this.#options.stats,
      unresponsiveMs: this.#options.unresponsiveMs,
      closing: this.#closing.signal,
      onLeft: () => this.#left(candidate, member),
    });
    candidate.member = member;
  }

  /**
   * A member left: its slot frees, it drains, and it is dialed again after
   * its backoff unless its discovery lost it.
   */
  #left(candidate: Candidate, member: RemoteMember): void {
    candidate.member = undefined;
    this.#byId.delete(member.id);
    this.#slots--;
    this.#taken.delete(candidate.worker.address);
    this.#draining.add(member);
    this.#track(member.drained.then(() => this.#draining.delete(member)));
    if (!this.#closed(candidate)) {
      candidate.backoff.failed();
      this.#rest(candidate);
    }
    this.#fill();
  }

  /** A dial failed: reported; dialed again after the backoff, or not. */
  #fail(candidate: Candidate, error: WorkerUnavailable): void {
    candidate.lastFailure = error;
    if (error.reason === "untagged") {
      candidate.state = "excluded";
      this.#report(candidate, error, undefined);
      return;
    }
    candidate.backoff.failed();
    this.#rest(candidate, error);
  }

  /** Waits out the candidate's backoff, then queues it to dial again. */
  #rest(candidate: Candidate, failure?: WorkerUnavailable): void {
    candidate.state = "resting";
    const delay = candidate.backoff.delayMs;
    if (failure) this.#report(candidate, failure, delay);
    this.#track((async () => {
      if (!await pause(delay, candidate.stop.signal)) return;
      if (this.#closed(candidate) || candidate.state !== "resting") return;
      candidate.state = "waiting";
      this.#waiting.add(candidate);
      this.#fill();
    })());
  }

  #report(
    candidate: Candidate,
    error: WorkerUnavailable,
    retryMs: number | undefined,
  ): void {
    candidate.lastFailure = error;
    this.#options.roster.report({
      type: "unavailable",
      address: candidate.worker.address,
      reason: error.reason,
      retryMs,
      error,
    });
  }

  /** The pool is closing, or the discovery lost the candidate. */
  #closed(candidate: Candidate): boolean {
    return this.#closing.signal.aborted || candidate.gone;
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch(() => {}).finally(() =>
      this.#pending.delete(tracked)
    );
    this.#pending.add(tracked);
  }
}
