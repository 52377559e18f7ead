/**
 * Which discovered workers a pool admits, against real standalone workers
 * on 127.0.0.2–127.0.0.4: a worker refusing the pool's token is reported
 * and never joins; `quorum` is met, or `start()` fails with `QuorumNotMet`
 * naming why, leaving nothing behind; `tags` admit only workers carrying
 * them (by their own `Info`); `lease` caps the workers admitted, and a
 * waiting one takes the place of one that leaves.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  QuorumNotMet,
  staticDiscovery,
  WorkerPool,
  WorkerUnavailable,
} from "../../mod.ts";
import { freePort } from "../_helpers/engines.ts";
import { ListedDiscovery } from "../_helpers/listed_discovery.ts";
import { PoolEvents } from "../_helpers/pool_events.ts";
import { isAlive } from "../_helpers/processes.ts";
import { RemoteWorkers } from "../_helpers/remote_workers.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");
const TOKEN = "admission-test-token";

Deno.test("a discovered worker that refuses the pool's token is reported as unauthenticated and never joins", async () => {
  await using remote = await RemoteWorkers.create();
  const good = await remote.start({ host: "127.0.0.2", token: TOKEN });
  const other = await remote.start({ host: "127.0.0.3", token: "not-ours" });
  const discovery = new ListedDiscovery([good.address]);
  await using pool = await WorkerPool.start({
    discovery,
    credentials: { token: TOKEN },
    quorum: 1,
  });
  using events = new PoolEvents(pool);
  discovery.add(other.address);
  const refused = await events.next(
    "unavailable",
    (e) => e.address === other.address,
  );
  assert.equal(refused.reason, "unauthenticated");
  assert.ok(refused.error instanceof WorkerUnavailable);
  assert.match(refused.error.message, /refused the pool's credentials/);
  assert.ok(refused.retryMs !== undefined && refused.retryMs > 0);
  assert.deepStrictEqual(pool.workers.map((w) => w.address), [good.address]);
  const tasks = pool.remote<Tasks>(TASKS);
  assert.equal(await tasks.pid(), good.pid);
});

Deno.test("WorkerPool.start() with a quorum resolves once that many workers are ready", async () => {
  await using remote = await RemoteWorkers.create();
  const workers = await Promise.all(
    ["127.0.0.2", "127.0.0.3"].map((host) =>
      remote.start({ host, token: TOKEN })
    ),
  );
  await using pool = await WorkerPool.start({
    spawn: 1,
    discovery: staticDiscovery(workers.map((w) => w.address)),
    credentials: { token: TOKEN },
    quorum: 3,
  });
  assert.equal(pool.workers.length, 3);
});

Deno.test("WorkerPool.start() fails with QuorumNotMet naming the quorum and each missing worker's cause, and leaves nothing running", async () => {
  await using remote = await RemoteWorkers.create();
  const up = await remote.start({ host: "127.0.0.2", token: TOKEN });
  const refusing = await remote.start({ host: "127.0.0.3", token: "other" });
  const down = `127.0.0.4:${freePort("127.0.0.4")}`;
  const error = await WorkerPool.start({
    spawn: 1,
    discovery: staticDiscovery([up.address, refusing.address, down]),
    credentials: { token: TOKEN },
    quorum: 4,
    quorumTimeoutMs: 1500,
  }).then(() => assert.fail("the quorum cannot be met"), (e) => e);
  assert.ok(error instanceof QuorumNotMet, String(error));
  assert.equal(error.quorum, 4);
  assert.equal(error.ready, 2);
  assert.equal(error.timeoutMs, 1500);
  assert.match(error.message, /quorum of 4 ready workers/);
  const causes = new Map(
    error.causes.map((cause) => [
      (cause as WorkerUnavailable).address,
      (cause as WorkerUnavailable).reason,
    ]),
  );
  assert.deepStrictEqual(
    Object.fromEntries(causes),
    { [refusing.address]: "unauthenticated", [down]: "unreachable" },
  );
  // Nothing behind: the spawned worker was stopped (the test's sanitizers
  // check no connection or timer is left), the discovered ones run on.
  assert.ok(isAlive(up.pid));
});

Deno.test("a pool with tags admits only the workers whose Info carries every one of them", async () => {
  await using remote = await RemoteWorkers.create();
  const gpu = await remote.start({
    host: "127.0.0.2",
    token: TOKEN,
    tags: ["gpu", "eu"],
  });
  const cpu = await remote.start({
    host: "127.0.0.3",
    token: TOKEN,
    tags: ["eu"],
  });
  const discovery = new ListedDiscovery([gpu.address]);
  await using pool = await WorkerPool.start({
    discovery,
    credentials: { token: TOKEN },
    tags: ["gpu", "eu"],
    quorum: 1,
  });
  using events = new PoolEvents(pool);
  discovery.add(cpu.address);
  const untagged = await events.next(
    "unavailable",
    (e) => e.address === cpu.address,
  );
  assert.equal(untagged.reason, "untagged");
  assert.equal(untagged.retryMs, undefined, "not dialed again by itself");
  assert.match(
    untagged.error.message,
    /lacks the pool's tags gpu \(it carries eu\)/,
  );
  assert.deepStrictEqual(pool.workers.map((w) => w.tags), [["gpu", "eu"]]);
  const tasks = pool.remote<Tasks>(TASKS);
  const pids = await Promise.all(Array.from({ length: 4 }, () => tasks.pid()));
  assert.ok(pids.every((pid) => pid === gpu.pid));
});

Deno.test("a pool with a lease admits that many discovered workers; a waiting one joins when an admitted one leaves", async () => {
  await using remote = await RemoteWorkers.create();
  const workers = await Promise.all(
    ["127.0.0.2", "127.0.0.3", "127.0.0.4"].map((host) =>
      remote.start({ host, token: TOKEN })
    ),
  );
  await using pool = await WorkerPool.start({
    discovery: staticDiscovery(workers.map((w) => w.address)),
    credentials: { token: TOKEN },
    lease: 2,
    quorum: 2,
  });
  using events = new PoolEvents(pool);
  const admitted = pool.workers.map((w) => w.address);
  assert.equal(admitted.length, 2);
  const victim = workers.find((w) => w.address === admitted[0])!;
  const waiting = workers.find((w) => !admitted.includes(w.address))!;
  victim.kill("SIGKILL");
  const left = await events.next("left");
  assert.equal(left.worker.address, victim.address);
  const joined = await events.next("joined");
  assert.equal(joined.worker.address, waiting.address);
  assert.equal(pool.workers.length, 2, "never more than the lease");
});
