/**
 * Only the pool gets in: a worker answers every RPC (`Dispatch`, `Session`,
 * `Stop`, `Idle`) that does not present its pool's secret with
 * `UNAUTHENTICATED` and nothing more, before it decodes a frame, imports a
 * module or changes any state; and it goes on serving its pool.
 *
 * The calls come from a client that is not the pool's code path: raw
 * grpc-js with the service definition (`tests/_helpers/raw_client.ts`),
 * on its own connection.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { type RosterChange, WorkerPool } from "../../mod.ts";
import { createPoolSecret } from "../../src/pool/secret.ts";
import { poolSecret } from "../../src/pool/worker_pool.ts";
import { grpc } from "../../src/wire/grpc.ts";
import { loadWorkerService } from "../../src/wire/proto.ts";
import { isAlive } from "../_helpers/processes.ts";
import {
  GrpcStatus,
  RawWorkerClient,
  taskFrame,
} from "../_helpers/raw_client.ts";
import { exists } from "../_helpers/files.ts";

const MARKER_MODULE = import.meta.resolve(
  "../_fixtures/security/top_level_marker.ts",
);
const TASKS = import.meta.resolve("../_fixtures/tasks.ts");

/** Asserts a refusal: UNAUTHENTICATED, and no detail beyond that. */
function assertRefused(status: { code: number; details: string }): void {
  assert.equal(status.code, GrpcStatus.UNAUTHENTICATED, status.details);
  assert.equal(status.details, "Unauthenticated");
}

/** A Dispatch call of raw bytes (not a frame at all), and its status. */
async function dispatchBytes(
  address: string,
  bytes: Uint8Array,
): Promise<grpc.StatusObject> {
  const service = await loadWorkerService();
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), {
    "grpc.use_local_subchannel_pool": 1,
  });
  try {
    const call = client.makeBidiStreamRequest<Uint8Array, Buffer>(
      service.Dispatch.path,
      (message) => Buffer.from(message),
      (message) => message,
    );
    const status = new Promise<grpc.StatusObject>((resolve) => {
      call.on("status", resolve);
      call.on("error", () => {});
      call.on("data", () => {});
    });
    call.write(bytes);
    call.end();
    return await status;
  } finally {
    client.close();
  }
}

Deno.test("Worker refuses Dispatch, Session, Stop and Idle without its pool's credential with UNAUTHENTICATED, runs nothing, and keeps serving its pool", async (t) => {
  await using pool = await WorkerPool.start({ spawn: 1, respawn: false });
  await using other = await WorkerPool.start({ spawn: 1 });
  const [worker] = pool.workers;
  const changes: RosterChange[] = [];
  const unsubscribe = pool.subscribe((change) => changes.push(change));
  const dir = await Deno.makeTempDir({ prefix: "wool-auth-" });
  const credentials: [string, string | undefined][] = [
    ["no credential", undefined],
    ["a wrong credential", `Bearer ${createPoolSecret()}`],
    ["another pool's credential", `Bearer ${poolSecret(other)}`],
    ["the secret, not as a Bearer credential", poolSecret(pool)],
    ["the secret with a byte more", `Bearer ${poolSecret(pool)}x`],
  ];
  try {
    for (const [index, [label, authorization]] of credentials.entries()) {
      await t.step(`${label}: every RPC is refused`, async () => {
        using raw = await RawWorkerClient.connect(
          worker.address,
          authorization === undefined ? {} : { authorization },
        );
        const marker = `${dir}/${index}`;
        const module = `${MARKER_MODULE}?marker=${encodeURIComponent(marker)}`;
        const task = taskFrame({ module, export: "run" });

        const dispatched = await raw.dispatch([task]);
        assert.deepEqual(dispatched.frames, []);
        assertRefused(dispatched.status);

        const session = await raw.session([
          { stream: 1, frame: "request", request: task },
        ]);
        assert.deepEqual(session.frames, []);
        assertRefused(session.status);

        await assert.rejects(raw.stop(0), (error: grpc.ServiceError) => {
          assertRefused(error);
          return true;
        });
        await assert.rejects(raw.idle(), (error: grpc.ServiceError) => {
          assertRefused(error);
          return true;
        });
        assert.equal(await exists(marker), false, "the task's module ran");
      });
    }

    await t.step(
      "bytes that are no frame at all: refused before they are decoded",
      async () => {
        const status = await dispatchBytes(
          worker.address,
          new Uint8Array([0xff, 0xff, 0xff, 0x0f]),
        );
        assertRefused(status);
      },
    );

    await t.step(
      "the worker still serves its pool, with no wrong result",
      async () => {
        assert.ok(isAlive(worker.pid), "Stop stopped the worker");
        assert.deepEqual(changes, [], "the worker left the pool");
        assert.deepEqual(pool.workers, [worker]);
        assert.equal(
          await pool.dispatch({ module: TASKS, export: "pid", args: [] }),
          worker.pid,
        );
        using raw = await RawWorkerClient.ofPool(pool);
        assert.ok(await raw.idle() > 0, "a task is left in the docket");
        for (const index of credentials.keys()) {
          assert.equal(await exists(`${dir}/${index}`), false);
        }
      },
    );
  } finally {
    unsubscribe();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("WorkerPool hands its secret to workers on stdin only: it is in neither their command line nor their environment", async () => {
  await using pool = await WorkerPool.start({ spawn: 2 });
  await using other = await WorkerPool.start({ spawn: 1 });
  const secret = poolSecret(pool);
  assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(secret, poolSecret(other), "a secret shared by two pools");
  for (const worker of pool.workers) {
    for (const file of ["cmdline", "environ"]) {
      const text = await Deno.readTextFile(`/proc/${worker.pid}/${file}`);
      assert.equal(text.includes(secret), false, `${file} of ${worker.id}`);
    }
  }
});

Deno.test("Worker serves Dispatch, Session, Stop and Idle presenting its pool's secret", async () => {
  await using pool = await WorkerPool.start({ spawn: 1, respawn: false });
  const [worker] = pool.workers;
  using raw = await RawWorkerClient.ofPool(pool);
  const add = taskFrame({ module: TASKS, export: "add" }, [1, 2]);
  const dispatched = await raw.dispatch([add]);
  assert.equal(dispatched.status.code, GrpcStatus.OK);
  assert.deepEqual(dispatched.frames.map((frame) => frame.frame), [
    "ack",
    "result",
  ]);
  const session = await raw.session(
    [{ stream: 1, frame: "request", request: add }],
    (frames) => frames.length === 2,
  );
  assert.equal(session.status.code, GrpcStatus.OK);
  assert.deepEqual(session.frames.map((frame) => frame.frame), [
    "response",
    "response",
  ]);
  assert.ok(await raw.idle() > 0);
  const left = new Promise<string>((resolve) =>
    pool.subscribe((change) => change.type === "left" && resolve(change.reason))
  );
  await raw.stop(0);
  // Stopped from outside the pool: to the pool, its worker crashed.
  assert.equal(await left, "crashed");
  assert.equal(pool.workers.includes(worker), false);
});
