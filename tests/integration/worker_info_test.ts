/**
 * The `Info` RPC of a spawned worker: what it says of itself, over a raw
 * grpc-js client and over the caller's `WorkerConnection`, and that it is
 * authenticated like every other RPC. (A standalone worker's tags,
 * advertised address, capacity and draining: standalone_worker_test.ts.)
 *
 * @module
 */
import assert from "node:assert/strict";
import { WorkerPool } from "../../mod.ts";
import { WorkerConnection } from "../../src/connection/worker_connection.ts";
import { poolSecret } from "../../src/pool/worker_pool.ts";
import { PROTOCOL_VERSION } from "../../src/wire/protocol_version.ts";
import { GrpcStatus, RawWorkerClient } from "../_helpers/raw_client.ts";

Deno.test("Info: a spawned worker tells its protocol version, id, address and pid, over a raw client and over WorkerConnection", async () => {
  await using pool = await WorkerPool.start({ spawn: 1 });
  const [worker] = pool.workers;
  const expected = {
    protocolVersion: PROTOCOL_VERSION,
    id: worker.id,
    address: worker.address,
    tags: [],
    pid: worker.pid,
    draining: false,
  };
  using raw = await RawWorkerClient.ofPool(pool);
  assert.deepStrictEqual(await raw.info(), expected);
  const connection = await WorkerConnection.create({
    address: worker.address,
    token: poolSecret(pool),
    maxConcurrentDispatches: 1,
    maxFrameBytes: 1 << 20,
    transport: "session",
  });
  try {
    assert.deepStrictEqual(await connection.info(), expected);
  } finally {
    connection.close();
  }
});

Deno.test("Info: refused UNAUTHENTICATED without the pool's secret", async () => {
  await using pool = await WorkerPool.start({ spawn: 1 });
  for (const authorization of [undefined, "Bearer not-the-secret"]) {
    using raw = await RawWorkerClient.connect(pool.workers[0].address, {
      authorization,
    });
    await assert.rejects(raw.info(), (error: { code?: number }) => {
      assert.equal(error.code, GrpcStatus.UNAUTHENTICATED);
      return true;
    });
  }
});
