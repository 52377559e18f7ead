import assert from "node:assert/strict";
import type { DiscoveredWorker } from "../../../src/discovery/discovery.ts";
import { DiscoveryError } from "../../../src/discovery/errors.ts";
import type { WorkerId } from "../../../src/loadbalancer/load_balancer.ts";
import {
  DiscoveredWorkers,
  type DiscoveredWorkersOptions,
} from "../../../src/pool/discovered_workers.ts";
import { type PoolEvent, Roster } from "../../../src/pool/roster.ts";
import { StatsBook } from "../../../src/pool/stats.ts";
import { Status } from "../../../src/wire/status.ts";
import {
  FakeDialer,
  type FakeRemoteConnection,
  ready,
  unavailable,
} from "../../_helpers/fake_remote.ts";

function worker(n: number, tags?: string[]): DiscoveredWorker {
  return {
    key: `k${n}`,
    address: `127.0.0.${n + 1}:5001`,
    ...(tags === undefined ? {} : { tags }),
  };
}

/** Every event of a roster, with a way to await one. */
class Events {
  readonly seen: string[] = [];
  readonly all: PoolEvent[] = [];
  #waiters: { match: (line: string) => boolean; resolve: () => void }[] = [];

  constructor(roster: Roster) {
    roster.subscribe((event) => {
      this.all.push(event);
      const line = describe(event);
      this.seen.push(line);
      this.#waiters = this.#waiters.filter((waiter) => {
        if (!waiter.match(line)) return true;
        waiter.resolve();
        return false;
      });
    }, true);
  }

  /** Resolves once a line starting with `prefix` was seen. */
  next(prefix: string): Promise<void> {
    const match = (line: string) => line.startsWith(prefix);
    if (this.seen.some(match)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }
}

function describe(event: PoolEvent): string {
  switch (event.type) {
    case "joined":
      return `joined ${event.worker.id} ${event.worker.address}`;
    case "left":
      return `left ${event.worker.id} ${event.reason}`;
    case "unavailable":
      return `unavailable ${event.address} ${event.reason} ${event.retryMs}`;
    case "discovery-error":
      return `discovery-error ${event.error.message}`;
  }
}

function setUp(options: Partial<DiscoveredWorkersOptions> = {}) {
  const roster = new Roster();
  const stats = new StatsBook();
  const dialer = new FakeDialer();
  const events = new Events(roster);
  const workers = new DiscoveredWorkers({
    dial: dialer.dial,
    roster,
    stats,
    tags: [],
    lease: Infinity,
    unresponsiveMs: 0,
    retry: { firstMs: 1, maxMs: 1 },
    ...options,
  });
  return { roster, stats, dialer, events, workers };
}

/** Answers dial number `count` as ready; returns its connection. */
async function admit(
  dialer: FakeDialer,
  count: number,
  overrides = {},
): Promise<FakeRemoteConnection> {
  const dial = await dialer.dialed(count);
  const { outcome, connection } = ready(dial.worker, overrides);
  dial.resolve(outcome);
  return connection;
}

Deno.test("DiscoveredWorkers dials a found worker and joins it to the roster with its Info", async () => {
  const { roster, stats, dialer, events, workers } = setUp();
  workers.found(worker(1));
  await admit(dialer, 1, { pid: 77, tags: ["gpu"] });
  await events.next("joined");
  assert.deepStrictEqual(roster.infos(), [
    { id: "d1", address: "127.0.0.2:5001", pid: 77, tags: ["gpu"] },
  ]);
  assert.equal(roster.get("d1" as WorkerId)?.exited, undefined);
  assert.ok(workers.owns("d1" as WorkerId));
  assert.deepStrictEqual(stats.snapshot().workers.map((w) => w.id), ["d1"]);
  await workers.close();
  assert.deepStrictEqual(events.seen, [
    "joined d1 127.0.0.2:5001",
    "left d1 closed",
  ]);
});

Deno.test("DiscoveredWorkers admits at most lease workers; a waiting one takes the slot a leaving one frees", async () => {
  const { dialer, events, workers } = setUp({ lease: 2 });
  for (const n of [1, 2, 3]) workers.found(worker(n));
  await admit(dialer, 1);
  await admit(dialer, 2);
  await events.next("joined d2");
  assert.deepStrictEqual(dialer.addresses, [
    "127.0.0.2:5001",
    "127.0.0.3:5001",
  ]);
  workers.lost("k1");
  await admit(dialer, 3);
  await events.next("joined d3");
  assert.equal(dialer.dials[2].worker.key, "k3");
  await workers.close();
  assert.deepStrictEqual(events.seen.slice(0, 4), [
    "joined d1 127.0.0.2:5001",
    "joined d2 127.0.0.3:5001",
    "left d1 withdrawn",
    "joined d3 127.0.0.4:5001",
  ]);
});

Deno.test("DiscoveredWorkers reports a worker it cannot admit, and dials it again after the backoff", async () => {
  const { dialer, events, workers } = setUp({
    retry: { firstMs: 5, maxMs: 10 },
  });
  workers.found(worker(1));
  (await dialer.dialed(1)).resolve(unavailable(worker(1), "unauthenticated"));
  (await dialer.dialed(2)).resolve(unavailable(worker(1)));
  await admit(dialer, 3);
  await events.next("joined");
  assert.deepStrictEqual(events.seen, [
    "unavailable 127.0.0.2:5001 unauthenticated 5",
    "unavailable 127.0.0.2:5001 unreachable 10",
    "joined d1 127.0.0.2:5001",
  ]);
  const event = events.all[0];
  assert.ok(event.type === "unavailable");
  assert.match(event.error.message, /127\.0\.0\.2:5001 was not admitted/);
  await workers.close();
});

Deno.test("DiscoveredWorkers leaves out a worker its discovery lists without the pool's tags, until that changes", async () => {
  const { dialer, events, workers } = setUp({ tags: ["gpu"] });
  workers.found(worker(1, ["cpu"]));
  workers.found(worker(2));
  await dialer.dialed(1);
  assert.deepStrictEqual(dialer.addresses, ["127.0.0.3:5001"]);
  assert.deepStrictEqual(events.seen, [
    "unavailable 127.0.0.2:5001 untagged undefined",
  ]);
  workers.changed(worker(1, ["cpu", "gpu"]));
  assert.deepStrictEqual(dialer.addresses, [
    "127.0.0.3:5001",
    "127.0.0.2:5001",
  ]);
  await workers.close();
});

Deno.test("DiscoveredWorkers does not dial again a worker whose Info lacks the tags, until its discovery reports a change", async () => {
  const { dialer, events, workers } = setUp();
  workers.found(worker(1));
  (await dialer.dialed(1)).resolve(unavailable(worker(1), "untagged"));
  await events.next("unavailable");
  assert.deepStrictEqual(events.seen, [
    "unavailable 127.0.0.2:5001 untagged undefined",
  ]);
  assert.equal(dialer.dials.length, 1);
  assert.deepStrictEqual(workers.failures().map((e) => e.message), [
    "Worker 127.0.0.2:5001 was not admitted: fake untagged",
  ]);
  workers.changed(worker(1));
  await admit(dialer, 2);
  await events.next("joined");
  await workers.close();
});

Deno.test('DiscoveredWorkers: a worker its discovery loses leaves as "withdrawn", and its connection closes once its calls end', async () => {
  const { dialer, events, workers } = setUp();
  workers.found(worker(1));
  const connection = await admit(dialer, 1);
  await events.next("joined");
  const permit = connection.permits.tryAcquire()!;
  workers.lost("k1");
  assert.deepStrictEqual(events.seen.at(-1), "left d1 withdrawn");
  assert.equal(workers.owns("d1" as WorkerId), false);
  await Promise.resolve();
  assert.equal(connection.closed, false, "a call is still in flight");
  permit.release();
  await connection.lost();
  assert.equal(connection.closed, true);
  assert.equal(dialer.dials.length, 1, "never dialed again");
  await workers.close();
});

Deno.test('DiscoveredWorkers: a worker whose connection breaks leaves as "unreachable" at once, and joins again under a new id', async () => {
  const { roster, dialer, events, workers } = setUp();
  workers.found(worker(1));
  const first = await admit(dialer, 1);
  await events.next("joined d1");
  first.permits.tryAcquire();
  first.breakConnection();
  await events.next("left d1 unreachable");
  assert.equal(first.closed, true, "closed at once, calls in flight or not");
  await admit(dialer, 2);
  await events.next("joined d2");
  assert.deepStrictEqual(roster.view.ids, ["d2"]);
  await workers.close();
});

Deno.test("DiscoveredWorkers.evict() takes a member out for the dispatcher's reason and dials it again", async () => {
  const { dialer, events, workers } = setUp();
  workers.found(worker(1));
  const connection = await admit(dialer, 1);
  await events.next("joined d1");
  workers.evict("d1" as WorkerId, "unauthenticated");
  workers.evict("d1" as WorkerId, "evicted");
  await connection.lost();
  await admit(dialer, 2);
  await events.next("joined d2");
  assert.deepStrictEqual(events.seen, [
    "joined d1 127.0.0.2:5001",
    "left d1 unauthenticated",
    "joined d2 127.0.0.2:5001",
  ]);
  await workers.close();
});

Deno.test("DiscoveredWorkers.close() closes every connection, cuts dials short and dials nothing more", async () => {
  const { dialer, events, workers } = setUp();
  workers.found(worker(1));
  workers.found(worker(2));
  const member = await admit(dialer, 1);
  await events.next("joined d1");
  const pending = await dialer.dialed(2);
  const closed = workers.close();
  assert.equal(pending.signal.aborted, true);
  const late = ready(pending.worker);
  pending.resolve(late.outcome);
  await closed;
  assert.equal(member.closed, true);
  assert.equal(late.connection.closed, true, "a dial that came back late");
  assert.deepStrictEqual(events.seen, [
    "joined d1 127.0.0.2:5001",
    "left d1 closed",
  ]);
  workers.found(worker(3));
  assert.equal(dialer.dials.length, 2);
});

Deno.test("DiscoveredWorkers: a worker lost while it is dialed never joins", async () => {
  const { roster, dialer, events, workers } = setUp();
  workers.found(worker(1));
  const dial = await dialer.dialed(1);
  workers.lost("k1");
  assert.equal(dial.signal.aborted, true);
  const { outcome, connection } = ready(dial.worker);
  dial.resolve(outcome);
  await connection.lost();
  assert.equal(connection.closed, true);
  assert.equal(roster.view.size, 0);
  assert.deepStrictEqual(events.seen, []);
  await workers.close();
});

Deno.test('DiscoveredWorkers probes members with Info: "draining", "unauthenticated", and "unreachable" when it does not answer', async () => {
  const keepAlive = setInterval(() => {}, 1000);
  try {
    const { dialer, events, workers } = setUp({ unresponsiveMs: 40 });
    for (const n of [1, 2, 3]) workers.found(worker(n));
    const draining = await admit(dialer, 1);
    draining.scriptInfo({}, { draining: true });
    const refusing = await admit(dialer, 2);
    refusing.scriptInfo(
      Object.assign(new Error("no"), { code: Status.UNAUTHENTICATED }),
    );
    const hung = await admit(dialer, 3);
    hung.scriptInfo("hang");
    await events.next("left d1 draining");
    await events.next("left d2 unauthenticated");
    await events.next("left d3 unreachable");
    assert.equal(hung.closed, true);
    assert.ok(draining.infos >= 2);
    await workers.close();
  } finally {
    clearInterval(keepAlive);
  }
});

Deno.test("DiscoveredWorkers reports discovery errors, and lists them with the latest failures", async () => {
  const { events, workers } = setUp();
  const error = new DiscoveryError("dns", "the server did not answer");
  workers.failed(error);
  assert.deepStrictEqual(events.seen, [
    "discovery-error Discovery dns failed: the server did not answer",
  ]);
  assert.deepStrictEqual(workers.failures(), [error]);
  await workers.close();
});

Deno.test("DiscoveredWorkers dials one address once, whatever the keys it is listed under", async () => {
  const { dialer, events, workers } = setUp();
  workers.found({ key: "old", address: "127.0.0.2:5001" });
  workers.found({ key: "new", address: "127.0.0.2:5001" });
  await admit(dialer, 1);
  await events.next("joined d1");
  assert.equal(dialer.dials.length, 1);
  workers.lost(dialer.dials[0].worker.key);
  await admit(dialer, 2);
  await events.next("joined d2");
  assert.deepStrictEqual(
    dialer.dials.map((dial) => dial.worker.key),
    ["old", "new"],
  );
  await workers.close();
});
