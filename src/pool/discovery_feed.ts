/**
 * The pool's subscription to its discovery: reads the events, hands each
 * change on by key, and keeps the subscription going. The contract
 * (`discovery/discovery.ts`) ends a subscription only when the pool aborts
 * it; one that throws or ends anyway is broken: that is reported as a
 * `DiscoveryError`, and the pool subscribes again after a backoff (reset
 * once a subscription reaches `synced`).
 *
 * A new subscription starts from an empty set and reports every current
 * worker again. The feed passes on what changed from what it had passed
 * on before: a worker listed again at the same address is no news (its
 * details may have changed), one at another address is lost and found,
 * and one the new subscription's `synced` did not list is lost — so a
 * broken subscription never makes members leave and join again.
 *
 * @module
 */
import { describeErrorMessage } from "../_util/describe.ts";
import { withTimeout } from "../_util/timeout.ts";
import type {
  DiscoveredWorker,
  Discovery,
  DiscoveryEvent,
} from "../discovery/discovery.ts";
import { DiscoveryError } from "../discovery/errors.ts";
import { Backoff, type BackoffOptions, pause } from "./backoff.ts";

/** Where the feed hands the changes. */
export interface FeedTarget {
  /** A worker is listed that was not (or at another address). */
  found(worker: DiscoveredWorker): void;
  /** A listed worker's details changed (same key, same address). */
  changed(worker: DiscoveredWorker): void;
  /** The worker under `key` is no longer listed. */
  lost(key: string): void;
  /** The discovery failed, or its subscription broke. */
  failed(error: DiscoveryError): void;
}

/** How long `close()` waits for a discovery to end its subscription. */
const RELEASE_WAIT_MS = 5000;

/** What a subscription says is wrong, as a `DiscoveryError`'s source. */
const SOURCE = "subscription";

/** A running subscription to a discovery, re-subscribed while it breaks. */
export class DiscoveryFeed {
  readonly #discovery: Discovery;
  readonly #target: FeedTarget;
  readonly #backoff: Backoff;
  readonly #stop = new AbortController();
  /** The address of each worker passed on, by key. */
  readonly #known = new Map<string, string>();
  readonly #running: Promise<void>;
  readonly #releaseWaitMs: number;

  /**
   * Subscribes to `discovery` now, handing changes to `target`, and again
   * after `retry`'s backoff each time a subscription breaks; `close()`
   * waits `releaseWaitMs` at most for the discovery to end it.
   */
  constructor(
    discovery: Discovery,
    target: FeedTarget,
    retry: BackoffOptions,
    releaseWaitMs: number = RELEASE_WAIT_MS,
  ) {
    this.#releaseWaitMs = releaseWaitMs;
    this.#discovery = discovery;
    this.#target = target;
    this.#backoff = new Backoff(retry);
    this.#running = this.#run();
  }

  /**
   * Ends the subscription; resolves once the discovery released it, or
   * after {@linkcode RELEASE_WAIT_MS} for a discovery that ignores its
   * signal (its iterable is then left behind, so `close()` still ends).
   */
  async close(): Promise<void> {
    this.#stop.abort();
    await withTimeout(this.#running, this.#releaseWaitMs);
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (await pause(this.#backoff.delayMs, signal)) {
      const problem = await this.#follow(signal);
      if (signal.aborted) return;
      this.#backoff.failed();
      this.#target.failed(
        new DiscoveryError(
          SOURCE,
          `${problem}; subscribing again in ${this.#backoff.delayMs} ms`,
        ),
      );
    }
  }

  /**
   * Follows one subscription until it ends; returns what went wrong (when
   * the pool did not end it).
   */
  async #follow(signal: AbortSignal): Promise<string> {
    const seen = new Set<string>();
    try {
      for await (const event of this.#discovery.subscribe(signal)) {
        if (signal.aborted) break;
        this.#handle(event, seen);
      }
      return "it ended, though only the pool may end it";
    } catch (error) {
      return `it threw: ${describeErrorMessage(error)}`;
    }
  }

  #handle(event: DiscoveryEvent, seen: Set<string>): void {
    const target = this.#target;
    switch (event.type) {
      case "added":
      case "updated": {
        const { worker } = event;
        seen.add(worker.key);
        const address = this.#known.get(worker.key);
        if (address !== undefined && address !== worker.address) {
          target.lost(worker.key);
        }
        this.#known.set(worker.key, worker.address);
        if (address === worker.address) target.changed(worker);
        else target.found(worker);
        return;
      }
      case "removed":
        seen.delete(event.worker.key);
        if (this.#known.delete(event.worker.key)) {
          target.lost(event.worker.key);
        }
        return;
      case "synced":
        this.#backoff.succeeded();
        for (const key of [...this.#known.keys()]) {
          if (seen.has(key)) continue;
          this.#known.delete(key);
          target.lost(key);
        }
        return;
      case "error":
        target.failed(event.error);
        return;
    }
  }
}
