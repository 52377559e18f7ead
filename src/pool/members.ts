/**
 * Where a pool's workers come from: the fleet it spawns, the workers its
 * discovery finds, or both (ephemeral, durable, hybrid). This starts them
 * together, waits for the `quorum`, sends the dispatcher's verdicts to
 * whichever owns the worker, and closes both. Both feed the one roster.
 *
 * @module
 */
import type { Discovery } from "../discovery/discovery.ts";
import type { AttemptCause } from "../loadbalancer/errors.ts";
import type { WorkerId } from "../loadbalancer/load_balancer.ts";
import { TIMED_OUT, withTimeout } from "../_util/timeout.ts";
import type { BackoffOptions } from "./backoff.ts";
import {
  DiscoveredWorkers,
  type DiscoveredWorkersOptions,
} from "./discovered_workers.ts";
import { DiscoveryFeed } from "./discovery_feed.ts";
import type { Removal } from "./dispatcher.ts";
import { Fleet, type FleetOptions } from "./fleet.ts";
import { QuorumNotMet } from "./membership_errors.ts";
import type { Roster } from "./roster.ts";
import type { RejectionCause } from "../wire/status.ts";

/**
 * Discovered workers that failed are dialed again after 0.2 s, 0.4 s, …
 * up to 10 s, spread by ±20 %; a broken discovery subscription likewise.
 */
const RETRY: BackoffOptions = { firstMs: 200, maxMs: 10_000, jitter: true };

/** What a pool's workers are made of. */
export interface MembersOptions {
  readonly roster: Roster;
  /** Spawned workers: how, and how many (≥ 1); none without. */
  readonly spawn:
    | { readonly options: FleetOptions; readonly count: number }
    | undefined;
  /** Discovered workers: the discovery, and how to admit what it finds. */
  readonly discovery:
    | {
      readonly discovery: Discovery;
      readonly options: Omit<DiscoveredWorkersOptions, "roster" | "retry">;
    }
    | undefined;
  /** Ready workers `start()` waits for, spawned and discovered together. */
  readonly quorum: number;
  readonly quorumTimeoutMs: number;
}

/** A pool's spawned and discovered workers, as one. */
export class Members {
  readonly #fleet: Fleet | undefined;
  readonly #discovered: DiscoveredWorkers | undefined;
  readonly #feed: DiscoveryFeed | undefined;

  private constructor(
    fleet: Fleet | undefined,
    discovered: DiscoveredWorkers | undefined,
    feed: DiscoveryFeed | undefined,
  ) {
    this.#fleet = fleet;
    this.#discovered = discovered;
    this.#feed = feed;
  }

  /**
   * Subscribes to the discovery and spawns the workers at once, and
   * resolves once every spawned worker is ready and the roster holds the
   * quorum.
   *
   * @throws {WorkerStartError} when a worker cannot be spawned.
   * @throws {QuorumNotMet} when the quorum is not met in time.
   * Either way, everything started is closed first.
   */
  static async start(options: MembersOptions): Promise<Members> {
    const { roster } = options;
    const discovered = options.discovery &&
      new DiscoveredWorkers({
        ...options.discovery.options,
        roster,
        retry: RETRY,
      });
    const feed = options.discovery && discovered &&
      new DiscoveryFeed(options.discovery.discovery, discovered, RETRY);
    const fleet = options.spawn && new Fleet(options.spawn.options);
    const members = new Members(fleet, discovered, feed);
    try {
      await fleet?.start(options.spawn!.count);
      await members.#awaitQuorum(options);
    } catch (error) {
      await members.#closeDiscovered();
      throw error;
    }
    return members;
  }

  /**
   * Takes out a worker that failed a dispatch in a way that is not
   * transient: a spawned one is stopped and replaced, a discovered one
   * dialed again later.
   */
  evict(id: WorkerId, cause: AttemptCause, reason: Removal): void {
    if (this.#discovered?.owns(id)) this.#discovered.evict(id, reason);
    else this.#fleet?.evict(id, cause, reason);
  }

  /** Worker `id` accepted a task: counted toward recycling a spawned one. */
  accepted(id: WorkerId): void {
    this.#fleet?.accepted(id);
  }

  /**
   * Worker `id` refused a task at admission: a discovered worker that is
   * stopping leaves as `"draining"` (a spawned one stops only when the pool
   * stops it, and is kept until it exits).
   */
  refused(id: WorkerId, cause: RejectionCause): void {
    if (cause === "stopping") this.#discovered?.evict(id, "draining");
  }

  /**
   * Stops the spawned workers, and closes the connections to the
   * discovered ones, which keep running.
   */
  async close(): Promise<void> {
    await Promise.all([this.#fleet?.close(), this.#closeDiscovered()]);
  }

  async #closeDiscovered(): Promise<void> {
    await this.#feed?.close();
    await this.#discovered?.close();
  }

  async #awaitQuorum(options: MembersOptions): Promise<void> {
    const { roster, quorum, quorumTimeoutMs } = options;
    if (roster.view.size >= quorum) return;
    const { promise: met, resolve } = Promise.withResolvers<void>();
    const stop = roster.subscribe(() => {
      if (roster.view.size >= quorum) resolve();
    });
    try {
      if (await withTimeout(met, quorumTimeoutMs) !== TIMED_OUT) return;
    } finally {
      stop();
    }
    const shortfall = {
      quorum,
      ready: roster.view.size,
      timeoutMs: quorumTimeoutMs,
      causes: this.#discovered?.failures() ?? [],
    };
    await this.#fleet?.close();
    throw new QuorumNotMet(shortfall);
  }
}
