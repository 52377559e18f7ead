import assert from "node:assert/strict";
import type {
  DiscoveredWorker,
  Discovery,
  DiscoveryEvent,
} from "../../../src/discovery/discovery.ts";
import { DiscoveryError } from "../../../src/discovery/errors.ts";
import {
  DiscoveryFeed,
  type FeedTarget,
} from "../../../src/pool/discovery_feed.ts";

/**
 * A discovery whose subscriptions the test drives: each subscription
 * yields the events pushed to it, and ends as the test says.
 */
class ScriptedDiscovery implements Discovery {
  readonly subscriptions: Subscription[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];

  subscribe(signal: AbortSignal): AsyncIterable<DiscoveryEvent> {
    const subscription = new Subscription(signal);
    this.subscriptions.push(subscription);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.subscriptions.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
    return subscription.events();
  }

  /** Resolves with subscription number `count` once it was made. */
  async subscribed(count: number): Promise<Subscription> {
    if (this.subscriptions.length < count) {
      await new Promise<void>((resolve) =>
        this.#waiters.push({ count, resolve })
      );
    }
    return this.subscriptions[count - 1];
  }
}

type Step = DiscoveryEvent | { end: "return" } | { end: "throw" };

class Subscription {
  readonly #signal: AbortSignal;
  readonly #steps: Step[] = [];
  #wake: (() => void) | undefined;
  finished = false;

  constructor(signal: AbortSignal) {
    this.#signal = signal;
    signal.addEventListener("abort", () => this.#wake?.(), { once: true });
  }

  push(...steps: Step[]): void {
    this.#steps.push(...steps);
    this.#wake?.();
  }

  async *events(): AsyncGenerator<DiscoveryEvent> {
    try {
      while (!this.#signal.aborted) {
        const step = this.#steps.shift();
        if (step === undefined) {
          await new Promise<void>((resolve) => this.#wake = resolve);
          continue;
        }
        if ("end" in step) {
          if (step.end === "throw") throw new Error("the engine broke");
          return;
        }
        yield step;
      }
    } finally {
      this.finished = true;
    }
  }
}

/** Records what the feed hands on; `next()` awaits the next record. */
class Recorder implements FeedTarget {
  readonly log: string[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];

  found(worker: DiscoveredWorker): void {
    this.#note(`found ${worker.key} ${worker.address}`);
  }
  changed(worker: DiscoveredWorker): void {
    this.#note(`changed ${worker.key} ${worker.tags?.join(",") ?? ""}`);
  }
  lost(key: string): void {
    this.#note(`lost ${key}`);
  }
  failed(error: DiscoveryError): void {
    this.#note(`failed ${error.message}`);
  }

  /** Resolves once `count` records in all were made. */
  until(count: number): Promise<void> {
    if (this.log.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  #note(line: string): void {
    this.log.push(line);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.log.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }
}

const RETRY = { firstMs: 1, maxMs: 1 };

function added(key: string, address: string, tags?: string[]): DiscoveryEvent {
  return {
    type: "added",
    worker: { key, address, ...(tags === undefined ? {} : { tags }) },
  };
}

Deno.test("DiscoveryFeed hands each event of its subscription on by key", async () => {
  const discovery = new ScriptedDiscovery();
  const target = new Recorder();
  const feed = new DiscoveryFeed(discovery, target, RETRY);
  const subscription = await discovery.subscribed(1);
  const error = new DiscoveryError("dns", "timed out");
  subscription.push(
    added("a", "127.0.0.2:1"),
    added("b", "127.0.0.3:1"),
    { type: "synced" },
    {
      type: "updated",
      worker: { key: "a", address: "127.0.0.2:1", tags: ["gpu"] },
      previous: { key: "a", address: "127.0.0.2:1" },
    },
    {
      type: "removed",
      worker: { key: "b", address: "127.0.0.3:1" },
      reason: "expired",
    },
    { type: "error", error },
  );
  await target.until(5);
  await feed.close();
  assert.equal(subscription.finished, true);
  assert.deepStrictEqual(target.log, [
    "found a 127.0.0.2:1",
    "found b 127.0.0.3:1",
    "changed a gpu",
    "lost b",
    "failed Discovery dns failed: timed out",
  ]);
});

Deno.test("DiscoveryFeed subscribes again to a subscription that throws or ends, reporting it, and passes on only what changed", async () => {
  const discovery = new ScriptedDiscovery();
  const target = new Recorder();
  const feed = new DiscoveryFeed(discovery, target, RETRY);
  const first = await discovery.subscribed(1);
  first.push(
    added("a", "127.0.0.2:1"),
    added("b", "127.0.0.3:1"),
    added("c", "127.0.0.4:1"),
    { type: "synced" },
    { end: "throw" },
  );
  const second = await discovery.subscribed(2);
  // The fresh snapshot: a unchanged, c moved, b gone, d new.
  second.push(
    added("a", "127.0.0.2:1"),
    added("c", "127.0.0.5:1"),
    added("d", "127.0.0.6:1"),
    { type: "synced" },
    { end: "return" },
  );
  const third = await discovery.subscribed(3);
  await feed.close();
  assert.equal(third.finished, true);
  assert.deepStrictEqual(target.log, [
    "found a 127.0.0.2:1",
    "found b 127.0.0.3:1",
    "found c 127.0.0.4:1",
    "failed Discovery subscription failed: it threw: the engine broke; subscribing again in 1 ms",
    "changed a ",
    "lost c",
    "found c 127.0.0.5:1",
    "found d 127.0.0.6:1",
    "lost b",
    "failed Discovery subscription failed: it ended, though only the pool may end it; subscribing again in 1 ms",
  ]);
});

Deno.test("DiscoveryFeed keeps the workers it passed on while a subscription breaks before it synced", async () => {
  const discovery = new ScriptedDiscovery();
  const target = new Recorder();
  const feed = new DiscoveryFeed(discovery, target, RETRY);
  (await discovery.subscribed(1)).push(added("a", "127.0.0.2:1"), {
    type: "synced",
  }, { end: "throw" });
  (await discovery.subscribed(2)).push({ end: "throw" });
  (await discovery.subscribed(3)).push(added("a", "127.0.0.2:1"), {
    type: "synced",
  });
  await target.until(4);
  await feed.close();
  assert.deepStrictEqual(target.log.map((line) => line.split(":")[0]), [
    "found a 127.0.0.2",
    "failed Discovery subscription failed",
    "failed Discovery subscription failed",
    "changed a ",
  ]);
});

Deno.test("DiscoveryFeed.close() ends the subscription and resolves once it finished", async () => {
  const discovery = new ScriptedDiscovery();
  const feed = new DiscoveryFeed(discovery, new Recorder(), RETRY);
  const subscription = await discovery.subscribed(1);
  await feed.close();
  assert.equal(subscription.finished, true);
  assert.equal(discovery.subscriptions.length, 1);
});

Deno.test("DiscoveryFeed.close() ends even when the discovery ignores its signal", async () => {
  let release: () => void = () => {};
  const stuck: Discovery = {
    async *subscribe(): AsyncGenerator<DiscoveryEvent> {
      yield added("a", "127.0.0.2:1");
      // Never looks at its signal: only the test lets it go.
      await new Promise<void>((resolve) => release = resolve);
    },
  };
  const target = new Recorder();
  const feed = new DiscoveryFeed(stuck, target, RETRY, 50);
  await target.until(1);
  await feed.close();
  release();
  assert.deepStrictEqual(target.log, ["found a 127.0.0.2:1"]);
});
