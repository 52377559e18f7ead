/**
 * A `RESOURCE_EXHAUSTED` that is not a hook rejection — grpc's own
 * message-size limit — is not overload: it is not retried on other
 * workers, and the caller learns the real cause (the frame's size and the
 * limit).
 *
 * Through a pool the limits match on both sides and the caller checks a
 * frame before it sends it, so a worker never sees an oversized frame from
 * its own pool. These tests reach the worker's limit with a raw grpc-js
 * client, then replay what it answered through the dispatcher's real
 * classification: one real worker connection (whose limit is larger than
 * the worker's, as for a worker configured apart from its caller) beside
 * two that would accept.
 *
 * @module
 */
import assert from "node:assert/strict";
import { grpc } from "../../src/wire/grpc.ts";
import { MessageTooLarge, WorkerPool } from "../../mod.ts";
import { WorkerConnection } from "../../src/connection/worker_connection.ts";
import type { WorkerId } from "../../src/loadbalancer/load_balancer.ts";
import { RoundRobinLoadBalancer } from "../../src/loadbalancer/round_robin.ts";
import { Dispatcher } from "../../src/pool/dispatcher.ts";
import { Roster } from "../../src/pool/roster.ts";
import { StatsBook } from "../../src/pool/stats.ts";
import { encodeArgs } from "../../src/wire/values.ts";
import { FakeConnection, fakeWorker } from "../_helpers/fakes.ts";
import { Gate } from "../_helpers/gate.ts";
import { poolSecret } from "../../src/pool/worker_pool.ts";
import { RawWorkerClient, taskFrame } from "../_helpers/raw_client.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";
import { arrived } from "../_helpers/admission.ts";
import { makeTaskFrame } from "../_helpers/task_frame.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");
const SCRIPTED = import.meta.resolve("../_fixtures/hooks/scripted.ts");

const LIMIT = 1024;
/** The worker's gRPC receive limit: `maxMessageBytes` plus 64 KiB. */
const WORKER_FRAME_LIMIT = LIMIT + 64 * 1024;
const OVERSIZED = "x".repeat(WORKER_FRAME_LIMIT + 1000);

function startPool(transport: "session" | "dispatch"): Promise<WorkerPool> {
  return WorkerPool.start({
    spawn: 1,
    transport,
    maxMessageBytes: LIMIT,
    backpressure: SCRIPTED,
  });
}

Deno.test("Worker answers an oversized frame with RESOURCE_EXHAUSTED naming the sizes, not marked as a hook rejection, and keeps serving", async () => {
  await using pool = await startPool("session");
  const [worker] = pool.workers;
  using raw = await RawWorkerClient.ofPool(pool, worker);
  // Tagged "reject": had the hook seen it, the status would carry its mark.
  const { frames, status } = await raw.dispatch([
    taskFrame({ module: TASKS, export: "echo", tag: "reject" }, [OVERSIZED]),
  ]);
  assert.deepEqual(frames, []);
  assert.equal(status.code, grpc.status.RESOURCE_EXHAUSTED);
  const sizes = /^Received message larger than max \((\d+) vs\.? (\d+)\)$/
    .exec(status.details);
  assert.ok(sizes, status.details);
  assert.ok(Number(sizes[1]) > OVERSIZED.length);
  assert.equal(Number(sizes[2]), WORKER_FRAME_LIMIT);
  assert.deepEqual(status.metadata.get("wool-rejected"), []);
  assert.deepEqual(status.metadata.get("wool-rejected-cause"), []);

  assert.deepEqual(pool.workers, [worker]);
  assert.equal(
    await pool.dispatch({ module: TASKS, export: "add", args: [1, 2] }),
    3,
  );
  assert.deepEqual(pool.stats().workers[0].rejected, {
    hook: 0,
    "hook-error": 0,
    "hook-timeout": 0,
    stopping: 0,
  });
});

Deno.test("Dispatcher fails with MessageTooLarge (size, limit) when a worker's gRPC limit refuses the task, and tries no other worker", async () => {
  await using pool = await startPool("session");
  const [worker] = pool.workers;
  // A caller whose own limit is far larger than the worker's.
  const real = await WorkerConnection.create({
    address: worker.address,
    token: poolSecret(pool),
    maxConcurrentDispatches: 8,
    maxFrameBytes: 1 << 24,
    transport: "dispatch",
  });
  try {
    const journal: string[] = [];
    const others = ["127.0.0.1:1", "127.0.0.1:2"].map((address) =>
      new FakeConnection(address, { journal })
    );
    const roster = new Roster();
    const stats = new StatsBook();
    const evicted: string[] = [];
    roster.add({
      info: worker,
      connection: real,
      exited: new Promise(() => {}),
    });
    others.forEach((connection, i) =>
      roster.add(fakeWorker(`fake${i + 1}`, connection))
    );
    for (const entry of roster.entries()) {
      stats.track(entry.info.id, entry.info.address);
    }
    const dispatcher = new Dispatcher({
      roster,
      loadBalancer: new RoundRobinLoadBalancer(),
      stats,
      admissionWaitMs: 0,
      evict: (id: WorkerId) => evicted.push(id),
    });
    const args = encodeArgs([OVERSIZED]);
    const error = await dispatcher.dispatch(
      makeTaskFrame({
        id: "oversized-1",
        module: TASKS,
        export: "echo",
        args,
      }),
      { id: "oversized-1", module: TASKS, export: "echo", args: [] },
      undefined,
    ).then(
      () => assert.fail("the dispatch was accepted"),
      (error: unknown) => error,
    );
    assert.ok(error instanceof MessageTooLarge, String(error));
    assert.ok(error.size > args.length, `size ${error.size}`);
    assert.equal(error.limit, WORKER_FRAME_LIMIT);
    assert.deepEqual(journal, [], "another worker was tried");
    assert.deepEqual(evicted, []);
    const snapshot = stats.snapshot();
    assert.equal(snapshot.exhausted, 0);
    assert.equal(snapshot.workers[0].rejected.hook, 0);
  } finally {
    real.close();
  }
});

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool.dispatch() fails a call whose tag makes its frame too large with MessageTooLarge before sending it, and other tasks carry on (transport "${transport}")`, async () => {
    await using pool = await startPool(transport);
    await using gate = Gate.open();
    const tasks = pool.remote<Tasks>(TASKS);
    const held = tasks.waitAtGate(gate.port, "unaffected");
    await arrived(gate, 1, [held]);
    const error = await pool.dispatch({
      module: TASKS,
      export: "add",
      args: [1, 2],
      tag: OVERSIZED,
    }).then(
      () => assert.fail("the call resolved"),
      (error: unknown) => error,
    );
    assert.ok(error instanceof MessageTooLarge, String(error));
    assert.ok(error.size > OVERSIZED.length, `size ${error.size}`);
    assert.ok(error.limit >= LIMIT && error.limit <= WORKER_FRAME_LIMIT);
    assert.match(error.message, new RegExp(`${error.size} bytes`));
    await gate.release();
    assert.equal(await held, "unaffected");
    assert.equal(await tasks.add(1, 2), 3);
    assert.equal(
      pool.stats().workers[0].accepted,
      2,
      "a worker took the oversized call",
    );
  });
}
