/**
 * Reading a discovery's subscription in tests: every event is checked
 * against the contract's rules as it arrives (a broken event fails the
 * test that waits next), kept in order, and handed to whoever waits for
 * it, so tests wait on events, never on time.
 *
 * @module
 */
import assert from "node:assert/strict";
import type {
  DiscoveredWorker,
  Discovery,
  DiscoveryEvent,
  RemovalReason,
} from "../../src/discovery/discovery.ts";
import { DiscoveryError } from "../../src/discovery/errors.ts";
import { parseHostPort } from "../../src/_util/host_port.ts";
import { HANG_MS, settles } from "./deadline.ts";

const REASONS: readonly RemovalReason[] = [
  "withdrawn",
  "expired",
  "left",
  "replaced",
];

interface Waiter {
  readonly matches: (event: DiscoveryEvent) => boolean;
  readonly resolve: (event: DiscoveryEvent) => void;
  readonly reject: (error: unknown) => void;
}

/** One subscription, read in the background until disposed. */
export class DiscoveryWatch implements AsyncDisposable {
  /** Every event so far, in order. */
  readonly events: DiscoveryEvent[] = [];
  /** The workers currently known, by key. */
  readonly known = new Map<string, DiscoveredWorker>();
  readonly #controller = new AbortController();
  readonly #reading: Promise<void>;
  readonly #claimed = new Set<number>();
  #waiters: Waiter[] = [];
  #violation: unknown;
  #ended = false;
  #synced = false;

  /** Subscribes to `discovery` and starts reading. */
  constructor(discovery: Discovery) {
    this.#reading = this.#read(discovery.subscribe(this.#controller.signal));
  }

  /** Addresses of the workers currently known, sorted. */
  get addresses(): string[] {
    return [...this.known.values()].map((worker) => worker.address).sort();
  }

  /** The errors reported so far. */
  get errors(): DiscoveryError[] {
    return this.events.flatMap((event) =>
      event.type === "error" ? [event.error] : []
    );
  }

  /** Whether the iterable has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * The first event not handed out yet (recorded or still to come) that
   * `matches`; each event is handed out once. Rejects when the iterable
   * ends or breaks a rule first, or after {@linkcode HANG_MS}.
   */
  next(
    what: string,
    matches: (event: DiscoveryEvent) => boolean,
    ms = HANG_MS,
  ): Promise<DiscoveryEvent> {
    for (const [i, event] of this.events.entries()) {
      if (!this.#claimed.has(i) && matches(event)) {
        this.#claimed.add(i);
        return Promise.resolve(event);
      }
    }
    if (this.#violation !== undefined) return Promise.reject(this.#violation);
    if (this.#ended) {
      return Promise.reject(new Error(`the iterable ended before ${what}`));
    }
    return settles(
      new Promise((resolve, reject) =>
        this.#waiters.push({ matches, resolve, reject })
      ),
      `waiting for ${what}`,
      ms,
    );
  }

  /** The next `synced` event. */
  synced(): Promise<DiscoveryEvent> {
    return this.next("synced", (event) => event.type === "synced");
  }

  /** The next event of `type` for the worker at `address`. */
  change(
    type: "added" | "updated" | "removed",
    address: string,
  ): Promise<DiscoveryEvent> {
    return this.next(
      `${type} ${address}`,
      (event) => event.type === type && event.worker.address === address,
    );
  }

  /** The next `error` event. */
  error(): Promise<DiscoveryError> {
    return this.next("an error event", (event) => event.type === "error")
      .then((event) => (event as { error: DiscoveryError }).error);
  }

  async #read(events: AsyncIterable<DiscoveryEvent>): Promise<void> {
    try {
      for await (const event of events) this.#record(event);
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#ended = true;
      if (!this.#controller.signal.aborted) {
        this.#fail(new Error("the iterable ended before its signal aborted"));
      }
      for (const waiter of this.#waiters) {
        waiter.reject(this.#violation ?? new Error("the iterable ended"));
      }
      this.#waiters = [];
    }
  }

  #record(event: DiscoveryEvent): void {
    try {
      this.#check(event);
    } catch (error) {
      this.#fail(error);
    }
    this.events.push(event);
    const waiter = this.#waiters.find((candidate) => candidate.matches(event));
    if (waiter === undefined) return;
    this.#waiters = this.#waiters.filter((candidate) => candidate !== waiter);
    this.#claimed.add(this.events.length - 1);
    waiter.resolve(event);
  }

  #fail(error: unknown): void {
    this.#violation ??= error;
    for (const waiter of this.#waiters) waiter.reject(error);
    this.#waiters = [];
  }

  /** The contract's rules, per event (module doc of discovery.ts). */
  #check(event: DiscoveryEvent): void {
    switch (event.type) {
      case "added":
        checkWorker(event.worker);
        assert.ok(
          !this.known.has(event.worker.key),
          `added ${event.worker.key}, which is known already`,
        );
        this.known.set(event.worker.key, event.worker);
        return;
      case "updated": {
        checkWorker(event.worker);
        const known = this.known.get(event.worker.key);
        assert.ok(known, `updated ${event.worker.key}, which is not known`);
        assert.deepStrictEqual(event.previous, known);
        assert.equal(event.worker.address, known.address, "updated moved");
        this.known.set(event.worker.key, event.worker);
        return;
      }
      case "removed":
        assert.ok(
          this.known.has(event.worker.key),
          `removed ${event.worker.key}, which is not known`,
        );
        assert.ok(REASONS.includes(event.reason), `reason ${event.reason}`);
        this.known.delete(event.worker.key);
        return;
      case "synced":
        assert.ok(!this.#synced, "synced twice");
        this.#synced = true;
        return;
      case "error":
        assert.ok(event.error instanceof DiscoveryError, "error event");
        return;
      default:
        assert.fail(`unknown event ${JSON.stringify(event)}`);
    }
  }

  /** Stops the subscription; resolves once its iterable has ended. */
  async close(): Promise<void> {
    this.#controller.abort();
    await settles(this.#reading, "the subscription's end");
    if (this.#violation !== undefined) throw this.#violation;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function checkWorker(worker: DiscoveredWorker): void {
  assert.equal(typeof worker.key, "string");
  assert.ok(worker.key.length > 0, "empty key");
  const parsed = parseHostPort(worker.address);
  assert.ok(parsed.ok, `address ${worker.address}`);
  if (worker.tags !== undefined) {
    assert.ok(worker.tags.every((tag) => typeof tag === "string"));
  }
  if (worker.capacity !== undefined) {
    assert.ok(Number.isInteger(worker.capacity) && worker.capacity >= 1);
  }
}
