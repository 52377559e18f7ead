/**
 * The contract every `Discovery` keeps, as one suite run against each
 * implementation (hono's `common.case.test.ts` pattern, as for load
 * balancers): `runDiscoveryConformance(fixture)`.
 *
 * Whatever its engine, a discovery must:
 * - report the workers present at subscription as `added`, then `synced`;
 * - keep the per-key grammar `(added updated* removed)*`, with valid
 *   `host:port` addresses that never change under a key (checked on every
 *   event by `DiscoveryWatch`);
 * - end at once on an aborted signal, and end when the signal aborts or
 *   the consumer stops, only after releasing what it opened (the test
 *   sanitizers fail a leaked socket, timer or connection);
 * - serve concurrent subscriptions independently;
 * - where its set can change: report a new worker as `added`, and a gone
 *   one as `removed` with the reason its engine gives.
 *
 * @module
 */
import assert from "node:assert/strict";
import type {
  Discovery,
  DiscoveryEvent,
  RemovalReason,
} from "../../../src/discovery/discovery.ts";
import { DiscoveryWatch } from "../../_helpers/discovery_watch.ts";
import { settles } from "../../_helpers/deadline.ts";

/** A discovery under test, over a set of workers the test controls. */
export interface DiscoveryHarness extends AsyncDisposable {
  readonly discovery: Discovery;
  /** Makes a worker at `address` appear; absent when the set is fixed. */
  add?(address: string): Promise<void>;
  /** Makes the worker at `address` disappear; absent when the set is fixed. */
  remove?(address: string): Promise<void>;
}

/** How to build one implementation's harness. */
export interface DiscoveryFixture {
  /** Leads each test's name. */
  readonly name: string;
  /** Ignore the tests (an engine is missing, outside CI). */
  readonly ignore?: boolean;
  /** Whether the discovery can start with no workers at all. */
  readonly allowsEmpty: boolean;
  /**
   * The reason `remove()` makes the discovery report; absent when the set
   * is fixed (then the harness has no `add`/`remove`).
   */
  readonly removalReason?: RemovalReason;
  /** Builds a harness whose discovery knows workers at `addresses`. */
  start(addresses: readonly string[]): Promise<DiscoveryHarness>;
}

const FIRST = ["127.0.0.2:5001", "127.0.0.3:5001"];
const LATER = "127.0.0.4:5002";

/** Registers the discovery conformance tests for one implementation. */
export function runDiscoveryConformance(fixture: DiscoveryFixture): void {
  const { name } = fixture;
  const test = (title: string, fn: () => Promise<void>) =>
    Deno.test({ name: `${name} ${title}`, ignore: fixture.ignore, fn });

  test("reports the current workers as added, then synced", async () => {
    await using harness = await fixture.start(FIRST);
    await using watch = new DiscoveryWatch(harness.discovery);
    await watch.synced();
    assert.deepStrictEqual(watch.addresses, [...FIRST].sort());
    const added = watch.events.filter((event) => event.type === "added");
    assert.equal(added.length, FIRST.length);
  });

  if (fixture.allowsEmpty) {
    test("reports synced with no worker when there is none", async () => {
      await using harness = await fixture.start([]);
      await using watch = new DiscoveryWatch(harness.discovery);
      await watch.synced();
      assert.deepStrictEqual(watch.addresses, []);
    });
  }

  test("ends at once, reporting nothing, when its signal is already aborted", async () => {
    await using harness = await fixture.start(FIRST);
    const events: DiscoveryEvent[] = [];
    const subscription = harness.discovery.subscribe(AbortSignal.abort());
    await settles(
      (async () => {
        for await (const event of subscription) events.push(event);
      })(),
      "iteration on an aborted signal",
    );
    assert.deepStrictEqual(events, []);
  });

  test("ends when its signal aborts while the consumer waits", async () => {
    await using harness = await fixture.start(FIRST);
    const controller = new AbortController();
    const iterator = harness.discovery.subscribe(controller.signal)
      [Symbol.asyncIterator]();
    let step = await iterator.next();
    while (!step.done && step.value.type !== "synced") {
      step = await iterator.next();
    }
    const waiting = iterator.next();
    controller.abort();
    const last = await settles(waiting, "the pending next() after abort");
    assert.equal(last.done, true);
  });

  test("releases everything when the consumer stops iterating", async () => {
    await using harness = await fixture.start(FIRST);
    const seen: string[] = [];
    for await (
      const event of harness.discovery.subscribe(new AbortController().signal)
    ) {
      seen.push(event.type);
      if (event.type === "synced") break;
    }
    assert.equal(seen.at(-1), "synced");
  });

  test("serves concurrent subscriptions independently", async () => {
    await using harness = await fixture.start(FIRST);
    const first = new DiscoveryWatch(harness.discovery);
    await using second = new DiscoveryWatch(harness.discovery);
    await first.synced();
    await first.close();
    await second.synced();
    assert.deepStrictEqual(second.addresses, [...FIRST].sort());
    await using third = new DiscoveryWatch(harness.discovery);
    await third.synced();
    assert.deepStrictEqual(third.addresses, [...FIRST].sort());
  });

  if (fixture.removalReason === undefined) return;
  test("reports a worker that appears as added, and one that goes as removed", async () => {
    await using harness = await fixture.start(FIRST);
    assert.ok(harness.add && harness.remove, "a changing set needs add/remove");
    await using watch = new DiscoveryWatch(harness.discovery);
    await watch.synced();
    await harness.add(LATER);
    await watch.change("added", LATER);
    assert.deepStrictEqual(watch.addresses, [...FIRST, LATER].sort());
    await harness.remove(FIRST[0]);
    const removed = await watch.change("removed", FIRST[0]);
    assert.equal(
      (removed as { reason: RemovalReason }).reason,
      fixture.removalReason,
    );
    assert.deepStrictEqual(watch.addresses, [FIRST[1], LATER].sort());
  });
}
