/**
 * Pools that find their workers, against real standalone workers
 * (`src/worker/main.ts --listen`) on 127.0.0.2 and 127.0.0.3 standing for
 * two hosts, found through `staticDiscovery`: durable and hybrid pools
 * serve from them like spawned workers; `close()` leaves them running; a
 * worker killed with SIGKILL fails its calls in flight with
 * `WorkerCrashed`, leaves, and joins again once it is back; one drained
 * with SIGTERM finishes its task while new tasks go elsewhere.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  staticDiscovery,
  WorkerCrashed,
  WorkerPool,
  type WorkerPoolOptions,
} from "../../mod.ts";
import { settles } from "../_helpers/deadline.ts";
import { Gate } from "../_helpers/gate.ts";
import { PoolEvents } from "../_helpers/pool_events.ts";
import { isAlive } from "../_helpers/processes.ts";
import { portOf, RemoteWorkers } from "../_helpers/remote_workers.ts";
import { RawWorkerClient } from "../_helpers/raw_client.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");
const TOKEN = "durable-test-token";

/** A pool over `addresses`, presenting {@linkcode TOKEN}. */
function durablePool(
  addresses: string[],
  options: WorkerPoolOptions = {},
): Promise<WorkerPool> {
  return WorkerPool.start({
    discovery: staticDiscovery(addresses),
    credentials: { token: TOKEN },
    quorum: addresses.length,
    quorumTimeoutMs: 20_000,
    ...options,
  });
}

Deno.test("a durable pool serves from the standalone workers it found, listed with their Info, and close() leaves them running", async () => {
  await using remote = await RemoteWorkers.create();
  const a = await remote.start({
    host: "127.0.0.2",
    token: TOKEN,
    tags: ["gpu"],
  });
  const b = await remote.start({ host: "127.0.0.3", token: TOKEN });
  const pool = await durablePool([a.address, b.address]);
  const events = new PoolEvents(pool);
  const byAddress = new Map(pool.workers.map((w) => [w.address, w]));
  assert.deepStrictEqual(
    [...byAddress.keys()].sort(),
    [a.address, b.address].sort(),
  );
  assert.equal(byAddress.get(a.address)?.pid, a.pid);
  assert.deepStrictEqual(byAddress.get(a.address)?.tags, ["gpu"]);
  assert.deepStrictEqual(byAddress.get(b.address)?.tags, []);

  const tasks = pool.remote<Tasks>(TASKS);
  const sums = await Promise.all(
    Array.from({ length: 20 }, (_, i) => settles(tasks.add(i, 1), "a call")),
  );
  assert.deepStrictEqual(sums, Array.from({ length: 20 }, (_, i) => i + 1));
  const streamed: number[] = [];
  for await (const i of tasks.count(3)) streamed.push(i);
  assert.deepStrictEqual(streamed, [0, 1, 2]);
  const accepted = pool.stats().workers.map((w) => w.accepted);
  assert.ok(accepted.every((n) => n >= 5), `both served: ${accepted}`);

  await pool.close();
  assert.deepStrictEqual(
    events.lines.map((line) => line.split(" ").at(-1)),
    ["closed", "closed"],
  );
  assert.ok(isAlive(a.pid) && isAlive(b.pid), "the workers keep running");
  using raw = await RawWorkerClient.connect(a.address, {
    authorization: `Bearer ${TOKEN}`,
  });
  assert.equal((await raw.info()).draining, false, "and serve");
});

Deno.test("a hybrid pool serves from its spawned worker and a discovered one; close() stops only the one it spawned", async () => {
  await using remote = await RemoteWorkers.create();
  const found = await remote.start({ host: "127.0.0.2", token: TOKEN });
  const pool = await durablePool([found.address], { spawn: 1, quorum: 2 });
  const spawned = pool.workers.find((w) => w.address !== found.address)!;
  assert.match(spawned.address, /^unix:|^127\.0\.0\.1:/);
  assert.equal(spawned.tags, undefined);
  const tasks = pool.remote<Tasks>(TASKS);
  const pids = new Set(
    await Promise.all(Array.from({ length: 8 }, () => tasks.pid())),
  );
  assert.deepStrictEqual([...pids].sort(), [found.pid, spawned.pid].sort());
  await pool.close();
  assert.equal(isAlive(spawned.pid), false, "the spawned worker stopped");
  assert.equal(isAlive(found.pid), true, "the discovered worker runs on");
});

for (const transport of TRANSPORTS) {
  Deno.test(`a discovered worker killed with SIGKILL fails its call in flight with WorkerCrashed, leaves as unreachable, later calls go elsewhere, and it joins again once back (transport "${transport}")`, async () => {
    await using remote = await RemoteWorkers.create();
    await using gate = Gate.open();
    const a = await remote.start({ host: "127.0.0.2", token: TOKEN });
    const b = await remote.start({ host: "127.0.0.3", token: TOKEN });
    await using pool = await durablePool([a.address, b.address], {
      transport,
    });
    using events = new PoolEvents(pool);
    const idOf = (address: string) =>
      pool.workers.find((w) => w.address === address)!.id;
    const victim = idOf(a.address);
    const tasks = pool.remote<Tasks>(TASKS);
    const held = [
      tasks.waitAtGate(gate.port, 1),
      tasks.waitAtGate(gate.port, 2),
    ];
    held.forEach((call) => call.catch(() => {}));
    await gate.arrived(2);
    a.kill("SIGKILL");
    await a.exited;

    const left = await events.next("left", (e) => e.worker.id === victim);
    assert.equal(left.reason, "unreachable");
    await gate.release();
    const outcomes = await Promise.allSettled(held);
    const crashed = outcomes.filter((o) => o.status === "rejected");
    assert.equal(crashed.length, 1, "the call on the killed worker");
    const error = (crashed[0] as PromiseRejectedResult).reason;
    assert.ok(error instanceof WorkerCrashed, String(error));
    assert.equal(error.workerId, victim);
    assert.equal(error.pid, a.pid);
    assert.equal(
      outcomes.filter((o) => o.status === "fulfilled").length,
      1,
      "the call on the live worker",
    );

    const pids = await Promise.all(
      Array.from({ length: 6 }, () => tasks.pid()),
    );
    assert.ok(
      pids.every((pid) => pid === b.pid),
      "later calls go to the live one",
    );
    await events.next("unavailable", (e) => e.address === a.address);

    const back = await remote.start({
      host: "127.0.0.2",
      port: portOf(a.address),
      token: TOKEN,
    });
    const rejoined = await events.next(
      "joined",
      (e) => e.worker.address === a.address,
    );
    assert.notEqual(rejoined.worker.id, victim, "under a new id");
    assert.equal(rejoined.worker.pid, back.pid);
  });
}

Deno.test("a discovered worker drained with SIGTERM mid-task finishes the task and leaves as draining; new tasks go to the other worker", async () => {
  await using remote = await RemoteWorkers.create();
  await using gate = Gate.open();
  const a = await remote.start({ host: "127.0.0.2", token: TOKEN });
  const b = await remote.start({ host: "127.0.0.3", token: TOKEN });
  // Probed every second: the pool hears of the drain without a task.
  await using pool = await durablePool([a.address, b.address], {
    workerUnresponsiveMs: 4000,
  });
  using events = new PoolEvents(pool);
  const tasks = pool.remote<Tasks>(TASKS);
  // One task held on each worker (round robin).
  const held = [1, 2].map((n) => tasks.waitAtGate(gate.port, n));
  await gate.arrived(2);
  const drained = pool.workers.find((w) => w.address === a.address)!.id;
  a.kill("SIGTERM");

  const left = await events.next("left", (e) => e.worker.id === drained);
  assert.equal(left.reason, "draining");
  const pids = await Promise.all(Array.from({ length: 6 }, () => tasks.pid()));
  assert.ok(pids.every((pid) => pid === b.pid), "new tasks go elsewhere");
  assert.equal(isAlive(a.pid), true, "it waits for its task");
  await gate.release();
  assert.deepStrictEqual(await settles(Promise.all(held), "held tasks"), [
    1,
    2,
  ]);
  assert.equal((await a.exited).code, 0);
});

for (const transport of TRANSPORTS) {
  Deno.test(`a discovered worker that stops answering leaves as unreachable, its call in flight fails with WorkerCrashed, and the pool does not kill it (transport "${transport}")`, async () => {
    await using remote = await RemoteWorkers.create();
    await using gate = Gate.open();
    const a = await remote.start({ host: "127.0.0.2", token: TOKEN });
    await using pool = await durablePool([a.address], {
      workerUnresponsiveMs: 1000,
      transport,
    });
    using events = new PoolEvents(pool);
    const held = pool.remote<Tasks>(TASKS).waitAtGate(gate.port, 1);
    held.catch(() => {});
    await gate.arrived(1);
    a.kill("SIGSTOP");
    try {
      const left = await events.next("left");
      assert.equal(left.reason, "unreachable");
      const error = await held.then(() => undefined, (e) => e);
      assert.ok(error instanceof WorkerCrashed, String(error));
      assert.equal(isAlive(a.pid), true, "stopped, not killed");
    } finally {
      a.kill("SIGCONT");
    }
    const back = await events.next("joined");
    assert.equal(back.worker.pid, a.pid, "it joins again once it answers");
  });
}
