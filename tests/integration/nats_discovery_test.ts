/**
 * `natsDiscovery` and the worker's `NatsAnnouncer` against a real
 * `nats-server`: the shared conformance suite, then the lifecycle of an
 * announced worker (roll call, SIGKILL, a pause, a clean leave), and a
 * server that goes away and comes back.
 *
 * @module
 */
import assert from "node:assert/strict";
import { natsDiscovery } from "../../src/discovery/nats.ts";
import { connect } from "../../src/discovery/_nats.ts";
import { NatsAnnouncer } from "../../src/worker/nats_announcer.ts";
import { AnnouncerProcess } from "../_helpers/announcer_process.ts";
import { DiscoveryWatch } from "../_helpers/discovery_watch.ts";
import { ignoreWithout, NATS_SERVER } from "../_helpers/engines.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { runDiscoveryConformance } from "../unit/discovery/_conformance.ts";

const ignore = ignoreWithout(NATS_SERVER);
/**
 * The roll-call window of every subscription here: wide enough that a
 * loaded machine still hears the answers within it (the default, 250 ms,
 * is for a network, not for a starved test process).
 */
const ROLL_CALL_MS = 1500;
/** Far beyond any test: only a roll call or a leave can explain an event. */
const NEVER_RENEWS_MS = 600_000;

runDiscoveryConformance({
  name: "natsDiscovery (nats-server)",
  ignore,
  allowsEmpty: true,
  removalReason: "left",
  async start(addresses) {
    const server = await NatsServer.start();
    const announcers = new Map<string, NatsAnnouncer>();
    const add = async (address: string) => {
      const announcer = NatsAnnouncer.start({
        servers: server.url,
        worker: { key: `worker-${address}`, address },
        renewMs: NEVER_RENEWS_MS,
      });
      announcers.set(address, announcer);
      await announcer.announced;
    };
    for (const address of addresses) await add(address);
    return {
      discovery: natsDiscovery({
        servers: server.url,
        rollCallMs: ROLL_CALL_MS,
      }),
      add,
      async remove(address) {
        await announcers.get(address)?.leave();
        announcers.delete(address);
      },
      async [Symbol.asyncDispose]() {
        for (const announcer of announcers.values()) await announcer.leave();
        await server.stop();
      },
    };
  },
});

Deno.test({
  name: "natsDiscovery carries the announced key, tags and capacity",
  ignore,
  async fn() {
    await using server = await NatsServer.start();
    await using announcer = NatsAnnouncer.start({
      servers: server.url,
      subject: "team.a.workers",
      worker: {
        key: "w-1",
        address: "127.0.0.2:5001",
        tags: ["gpu", "eu"],
        capacity: 8,
      },
      renewMs: NEVER_RENEWS_MS,
    });
    await announcer.announced;
    await using watch = new DiscoveryWatch(
      natsDiscovery({
        servers: [server.url],
        subject: "team.a.workers",
        rollCallMs: ROLL_CALL_MS,
      }),
    );
    await watch.synced();
    assert.deepStrictEqual([...watch.known.values()], [
      {
        key: "w-1",
        address: "127.0.0.2:5001",
        tags: ["gpu", "eu"],
        capacity: 8,
      },
    ]);
    await using other = new DiscoveryWatch(
      natsDiscovery({
        servers: server.url,
        subject: "team.b.workers",
        rollCallMs: ROLL_CALL_MS,
      }),
    );
    await other.synced();
    assert.deepStrictEqual(other.addresses, [], "another subject sees no one");
  },
});

Deno.test({
  name:
    "natsDiscovery drops a worker killed with SIGKILL within 3 renewal periods, and takes it back when it returns",
  ignore,
  async fn() {
    const renewMs = 1500;
    await using server = await NatsServer.start();
    const options = {
      servers: server.url,
      worker: { key: "w-killed", address: "127.0.0.2:5001" },
      renewMs,
    };
    await using watch = new DiscoveryWatch(
      natsDiscovery({ servers: server.url, rollCallMs: ROLL_CALL_MS }),
    );
    await watch.synced();
    const first = await AnnouncerProcess.start(options);
    await watch.change("added", "127.0.0.2:5001");
    first.kill("SIGKILL");
    const killedAt = performance.now();
    await first[Symbol.asyncDispose]();
    const removed = await watch.change("removed", "127.0.0.2:5001");
    const elapsed = performance.now() - killedAt;
    assert.equal((removed as { reason: string }).reason, "expired");
    assert.ok(elapsed <= 3 * renewMs, `removed ${elapsed} ms after the kill`);
    await using _returned = await AnnouncerProcess.start(options);
    await watch.change("added", "127.0.0.2:5001");
  },
});

Deno.test({
  name:
    "natsDiscovery drops a worker that stops renewing (SIGSTOP) and re-adds it when its announcements resume (SIGCONT)",
  ignore,
  async fn() {
    await using server = await NatsServer.start();
    await using watch = new DiscoveryWatch(
      natsDiscovery({ servers: server.url, rollCallMs: ROLL_CALL_MS }),
    );
    await watch.synced();
    await using announcer = await AnnouncerProcess.start({
      servers: server.url,
      worker: { key: "w-paused", address: "127.0.0.3:5001" },
      renewMs: 300,
    });
    await watch.change("added", "127.0.0.3:5001");
    announcer.kill("SIGSTOP");
    const removed = await watch.change("removed", "127.0.0.3:5001");
    assert.equal((removed as { reason: string }).reason, "expired");
    announcer.kill("SIGCONT");
    await watch.change("added", "127.0.0.3:5001");
  },
});

Deno.test({
  name:
    "natsDiscovery drops a worker that drains (SIGTERM) at once, by its leave",
  ignore,
  async fn() {
    await using server = await NatsServer.start();
    await using watch = new DiscoveryWatch(
      natsDiscovery({ servers: server.url, rollCallMs: ROLL_CALL_MS }),
    );
    await watch.synced();
    await using announcer = await AnnouncerProcess.start({
      servers: server.url,
      worker: { key: "w-drained", address: "127.0.0.4:5001" },
      renewMs: NEVER_RENEWS_MS,
    });
    await watch.change("added", "127.0.0.4:5001");
    const { status, log } = await announcer.drain();
    assert.equal(status.code, 0, log);
    assert.match(log, /^left$/m);
    const removed = await watch.change("removed", "127.0.0.4:5001");
    assert.equal((removed as { reason: string }).reason, "left");
  },
});

Deno.test({
  name:
    "natsDiscovery keeps its workers while the server is down, and follows them again once it is back",
  ignore,
  async fn() {
    await using server = await NatsServer.start();
    await using announcer = NatsAnnouncer.start({
      servers: server.url,
      worker: { key: "w-1", address: "127.0.0.2:5001" },
      renewMs: 1000,
      reconnectWaitMs: 100,
    });
    await announcer.announced;
    await using watch = new DiscoveryWatch(
      natsDiscovery({
        servers: server.url,
        reconnectWaitMs: 100,
        rollCallMs: ROLL_CALL_MS,
      }),
    );
    await watch.synced();
    await server.stop();
    const lost = await watch.error();
    assert.match(lost.message, /lost the connection to NATS/);
    // Down for longer than the announcement's 2500 ms ttl: nothing may
    // expire while the discovery cannot hear the worker.
    await assert.rejects(
      watch.next("a removal", (event) => event.type === "removed", 3500),
      /did not settle within 3500 ms/,
    );
    await server.restart();
    await using _later = NatsAnnouncer.start({
      servers: server.url,
      worker: { key: "w-2", address: "127.0.0.3:5001" },
      renewMs: 200,
    });
    await watch.change("added", "127.0.0.3:5001");
    assert.deepStrictEqual(watch.addresses, [
      "127.0.0.2:5001",
      "127.0.0.3:5001",
    ]);
    assert.ok(
      watch.events.every((event) => event.type !== "removed"),
      "no worker left while the server was down",
    );
  },
});

Deno.test({
  name:
    "natsDiscovery reports a server it cannot reach, then syncs once it is up",
  ignore,
  async fn() {
    await using server = await NatsServer.start();
    await server.stop();
    await using watch = new DiscoveryWatch(
      natsDiscovery({
        servers: server.url,
        reconnectWaitMs: 100,
        rollCallMs: ROLL_CALL_MS,
      }),
    );
    const error = await watch.error();
    assert.match(
      error.message,
      /cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+/,
    );
    await server.restart();
    await watch.synced();
  },
});

Deno.test({
  name:
    "natsDiscovery reports a malformed announcement as an error and ignores it",
  ignore,
  async fn() {
    await using server = await NatsServer.start();
    await using watch = new DiscoveryWatch(
      natsDiscovery({ servers: server.url, rollCallMs: ROLL_CALL_MS }),
    );
    await watch.synced();
    const client = await connect({ servers: server.url });
    try {
      const garbage: [string, RegExp][] = [
        ["not json", /not UTF-8 JSON/],
        [
          '{"v":2,"key":"a","address":"127.0.0.2:1","ttlMs":1}',
          /protocol version 2/,
        ],
        [
          '{"v":1,"key":"a","address":"nowhere","ttlMs":1000}',
          /address "nowhere"/,
        ],
        ['{"v":1,"key":"a","address":"127.0.0.2:1","ttlMs":0}', /ttlMs/],
      ];
      for (const [payload, reason] of garbage) {
        client.publish("wool.workers.announce", payload);
        const error = await watch.error();
        assert.match(
          error.message,
          /ignored an announcement on wool\.workers\.announce/,
        );
        assert.match(error.message, reason);
      }
      client.publish("wool.workers.leave", "[]");
      assert.match((await watch.error()).message, /ignored a leave/);
    } finally {
      await client.close();
    }
    assert.equal(watch.known.size, 0);
  },
});
