/**
 * A standalone worker started with `--nats`, against a real `nats-server`
 * and `natsDiscovery`: it joins with its advertised address, id, tags and
 * capacity; SIGTERM makes it leave at once, while its task still runs; a
 * worker that cannot reach NATS serves anyway and joins once NATS is up.
 *
 * @module
 */
import assert from "node:assert/strict";
import { natsDiscovery } from "../../src/discovery/nats.ts";
import { DiscoveryWatch } from "../_helpers/discovery_watch.ts";
import { ignoreWithout, NATS_SERVER } from "../_helpers/engines.ts";
import { Gate } from "../_helpers/gate.ts";
import { NatsServer } from "../_helpers/nats_server.ts";
import { GrpcStatus, RawWorkerClient } from "../_helpers/raw_client.ts";
import {
  StandaloneProcess,
  taskAtGate,
} from "../_helpers/standalone_process.ts";

const ignore = ignoreWithout(NATS_SERVER);
/** Wide enough for a loaded machine (see nats_discovery_test.ts). */
const ROLL_CALL_MS = 1500;

function watchNats(server: NatsServer): DiscoveryWatch {
  return new DiscoveryWatch(
    natsDiscovery({ servers: server.url, rollCallMs: ROLL_CALL_MS }),
  );
}

Deno.test({
  name:
    "standalone worker with --nats: joins with its address, id, tags and capacity, and leaves at once on SIGTERM while its task still runs",
  ignore,
  async fn() {
    await using server = await NatsServer.start();
    await using watch = watchNats(server);
    await watch.synced();
    await using gate = Gate.open();
    await using worker = await StandaloneProcess.start([
      "--listen",
      "127.0.0.2:0",
      "--insecure",
      "--nats",
      server.url,
      "--tag",
      "gpu",
      "--tag",
      "eu",
      "--capacity",
      "4",
    ]);
    const added = await watch.change("added", worker.address);
    using raw = await RawWorkerClient.connect(worker.address);
    const info = await raw.info();
    assert.deepStrictEqual(added.type === "added" && added.worker, {
      key: info.id,
      address: worker.address,
      tags: ["gpu", "eu"],
      capacity: 4,
    });
    const { outcome: running } = await taskAtGate(raw, gate, "done");
    worker.kill("SIGTERM");
    const removed = await watch.change("removed", worker.address);
    assert.equal(removed.type === "removed" && removed.reason, "left");
    assert.equal(gate.arrivals, 1);
    assert.equal((await raw.info()).draining, true, "still serving, draining");
    await gate.release();
    assert.equal((await running).status.code, GrpcStatus.OK);
    assert.equal((await worker.exited).code, 0);
  },
});

Deno.test({
  name:
    "standalone worker with --nats announces its --advertise address, which Info reports too",
  ignore,
  async fn() {
    await using server = await NatsServer.start();
    await using watch = watchNats(server);
    await watch.synced();
    await using worker = await StandaloneProcess.start([
      "--listen",
      "127.0.0.3:0",
      "--advertise",
      "worker-0.workers.test:7000",
      "--insecure",
      "--nats",
      server.url,
    ]);
    await watch.change("added", "worker-0.workers.test:7000");
    using raw = await RawWorkerClient.connect(worker.address);
    assert.equal((await raw.info()).address, "worker-0.workers.test:7000");
  },
});

Deno.test({
  name:
    "standalone worker that cannot reach NATS serves anyway, says so on stderr, and joins once NATS is up",
  ignore,
  async fn() {
    await using server = await NatsServer.start();
    await server.stop();
    await using worker = await StandaloneProcess.start([
      "--listen",
      "127.0.0.2:0",
      "--insecure",
      "--nats",
      server.url,
    ]);
    await worker.stderrLine((line) => /cannot connect to NATS/.test(line));
    using raw = await RawWorkerClient.connect(worker.address);
    assert.equal((await raw.info()).draining, false);
    await server.restart();
    await using watch = watchNats(server);
    await watch.change("added", worker.address);
  },
});
