/**
 * A pool following NATS announcements (`natsDiscovery`) on a real
 * `nats-server`, with real standalone workers started with `--nats` on
 * 127.0.0.2 and 127.0.0.3: a worker killed with SIGKILL leaves at once
 * (its connection breaks) and a new one announcing itself joins; a worker
 * whose announcements stop (SIGSTOP: its process and connections stay,
 * silent) leaves when its announcement expires, and joins again when they
 * resume (SIGCONT).
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  natsDiscovery,
  WorkerPool,
  type WorkerPoolOptions,
} from "../../mod.ts";
import { ignoreWithout, NATS_SERVER } from "../_helpers/engines.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { PoolEvents } from "../_helpers/pool_events.ts";
import { RemoteWorkers } from "../_helpers/remote_workers.ts";
import type { StandaloneProcess } from "../_helpers/standalone_process.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");
const TOKEN = "nats-test-token";
const ignore = ignoreWithout(NATS_SERVER);
/**
 * An announcement is renewed every 5 s and expires after 2.5 renewals: a
 * bound well past that, for a loaded machine (not a speed check).
 */
const EXPIRY_BOUND_MS = 40_000;

/** Workers on 127.0.0.2 and 127.0.0.3 announcing through `nats`; b with `tagsOfB`. */
function announcing(
  remote: RemoteWorkers,
  nats: NatsServer,
  tagsOfB: string[] = [],
): Promise<StandaloneProcess[]> {
  return Promise.all([
    remote.start({ host: "127.0.0.2", token: TOKEN, nats: nats.url }),
    remote.start({
      host: "127.0.0.3",
      token: TOKEN,
      nats: nats.url,
      tags: tagsOfB,
    }),
  ]);
}

/** A durable pool following `nats`, waiting for both workers. */
function natsPool(
  nats: NatsServer,
  options: WorkerPoolOptions = {},
): Promise<WorkerPool> {
  return WorkerPool.start({
    discovery: natsDiscovery({ servers: nats.url }),
    credentials: { token: TOKEN },
    quorum: 2,
    ...options,
  });
}

Deno.test({
  name:
    "a pool following NATS admits the workers that announce themselves; one killed with SIGKILL leaves, and a new one joins",
  ignore,
  async fn() {
    await using nats = await NatsServer.start();
    await using remote = await RemoteWorkers.create();
    const [a, b] = await announcing(remote, nats, ["gpu"]);
    await using pool = await natsPool(nats);
    using events = new PoolEvents(pool);
    const tagsOf = Object.fromEntries(
      pool.workers.map((w) => [w.address, w.tags]),
    );
    assert.deepStrictEqual(tagsOf, { [a.address]: [], [b.address]: ["gpu"] });

    const killed = pool.workers.find((w) => w.address === a.address)!.id;
    a.kill("SIGKILL");
    const left = await events.next("left", (e) => e.worker.id === killed);
    assert.equal(left.reason, "unreachable");
    const tasks = pool.remote<Tasks>(TASKS);
    assert.equal(await tasks.pid(), b.pid);

    const fresh = await remote.start({
      host: "127.0.0.2",
      token: TOKEN,
      nats: nats.url,
    });
    const joined = await events.next(
      "joined",
      (e) => e.worker.address === fresh.address,
    );
    assert.equal(joined.worker.pid, fresh.pid);
  },
});

Deno.test({
  name:
    "a pool following NATS lets go of a worker whose announcements stop (withdrawn at expiry), and admits it again when they resume",
  ignore,
  async fn() {
    await using nats = await NatsServer.start();
    await using remote = await RemoteWorkers.create();
    const [a, b] = await announcing(remote, nats);
    // No liveness probe: the announcements alone decide here.
    await using pool = await natsPool(nats, { workerUnresponsiveMs: 0 });
    using events = new PoolEvents(pool);
    const silent = pool.workers.find((w) => w.address === b.address)!.id;
    b.kill("SIGSTOP");
    try {
      const left = await events.next(
        "left",
        (e) => e.worker.id === silent,
        EXPIRY_BOUND_MS,
      );
      assert.equal(left.reason, "withdrawn");
      const tasks = pool.remote<Tasks>(TASKS);
      assert.equal(await tasks.pid(), a.pid);
    } finally {
      b.kill("SIGCONT");
    }
    const back = await events.next(
      "joined",
      (e) => e.worker.address === b.address,
      EXPIRY_BOUND_MS,
    );
    assert.notEqual(back.worker.id, silent);
    assert.equal(back.worker.pid, b.pid);
  },
});
