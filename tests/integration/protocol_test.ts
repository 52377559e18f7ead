/**
 * The worker's side of the wire protocol, spoken by a raw grpc-js client:
 * version and first-frame checks, a frame out of turn, nacks for
 * undecodable arguments, and the `Idle` RPC.
 *
 * @module
 */
import assert from "node:assert/strict";
import { serialize } from "node:v8";
import { TaskLoadError, WorkerPool } from "../../mod.ts";
import { decodeError } from "../../src/wire/errors.ts";
import { Gate } from "../_helpers/gate.ts";
import { Inbox } from "../_helpers/inbox.ts";
import {
  GrpcStatus,
  RawWorkerClient,
  taskFrame,
} from "../_helpers/raw_client.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const MEMORY = import.meta.resolve("../_fixtures/lifecycle/memory.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");
type Memory = typeof import("../_fixtures/lifecycle/memory.ts");

Deno.test("Worker Dispatch answers the protocol on a raw grpc-js client", async (t) => {
  await using pool = await WorkerPool.start({ spawn: 1 });
  const tasks = pool.remote<Tasks>(TASKS);
  const [worker] = pool.workers;
  using client = await RawWorkerClient.ofPool(pool, worker);

  await t.step(
    "Worker Dispatch ends with FAILED_PRECONDITION for a Task frame of another protocol version, without running it",
    async () => {
      const { frames, status } = await client.dispatch([
        taskFrame({ module: TASKS, export: "add", protocolVersion: 999 }, [
          1,
          2,
        ]),
      ]);
      assert.equal(status.code, GrpcStatus.FAILED_PRECONDITION);
      assert.match(status.details, /protocol version/i);
      assert.match(status.details, /999/);
      assert.deepEqual(frames, []);
    },
  );

  await t.step(
    "Worker Dispatch ends with INVALID_ARGUMENT when the first frame is not a Task",
    async () => {
      const { frames, status } = await client.dispatch([
        { frame: "next", next: {} },
      ]);
      assert.equal(status.code, GrpcStatus.INVALID_ARGUMENT);
      assert.match(status.details, /first frame/i);
      assert.deepEqual(frames, []);
    },
  );

  await t.step(
    "Worker Dispatch ends a frame out of turn while its coroutine runs with INVALID_ARGUMENT, and aborts the task naming why",
    async () => {
      await using inbox = Inbox.open();
      const stream = client.stream();
      stream.write(
        taskFrame({ module: TASKS, export: "waitForAbort" }, [
          inbox.port,
          "message",
        ]),
      );
      assert.equal((await stream.next())?.frame, "ack");
      await inbox.arrived(1);
      stream.write({ frame: "next", next: {} });
      const status = await stream.status;
      assert.equal(status.code, GrpcStatus.INVALID_ARGUMENT);
      const why = 'Unexpected "next" frame while the task is running';
      assert.equal(status.details, why);
      assert.equal(
        await inbox.next(),
        `aborted:The worker ended the task's stream with INVALID_ARGUMENT: ${why}`,
      );
    },
  );

  await t.step(
    "Worker Dispatch nacks a Task whose arguments cannot be decoded, naming module and export",
    async () => {
      for (const args of [new Uint8Array([0xff, 0x0f, 0x99]), serialize(42)]) {
        const { frames, status } = await client.dispatch([
          taskFrame({ module: TASKS, export: "add", args }),
        ]);
        assert.equal(status.code, GrpcStatus.OK);
        assert.equal(frames.length, 1);
        const [nack] = frames;
        assert.ok(nack.frame === "nack", `got a ${nack.frame} frame`);
        const error = decodeError(nack.nack.error);
        assert.ok(error instanceof TaskLoadError, `got ${error}`);
        assert.match(error.message, /arguments/);
        assert.ok(error.message.includes(TASKS), error.message);
        assert.ok(error.message.includes('"add"'), error.message);
      }
    },
  );

  await t.step(
    "WorkerPool.remote() calls still run on the same worker process after the protocol errors",
    async () => {
      assert.equal(await tasks.pid(), worker.pid);
      assert.deepEqual(pool.workers, [worker]);
    },
  );

  await t.step(
    "Worker Idle answers 0 while a task runs, and more than 0 once the docket emptied",
    async () => {
      await using gate = Gate.open();
      const held = tasks.waitAtGate(gate.port, "held");
      await gate.arrived(1);
      assert.equal(await client.idle(), 0);
      assert.equal(await client.idle(), 0);
      await gate.release();
      assert.equal(await held, "held");
      const idle = await client.idle();
      assert.ok(idle > 0, `idle ${idle}`);
      assert.ok(await client.idle() >= idle, "idle time grows");
    },
  );

  await t.step(
    "Worker Idle reports the worker process's resident set size, which grows with what its tasks hold",
    async () => {
      const memory = pool.remote<Memory>(MEMORY);
      const before = await client.rssBytes();
      const seen = await memory.rss();
      assert.ok(before > 1024 * 1024, `rss ${before}`);
      assert.ok(seen / before > 0.5 && seen / before < 2, `${before} ${seen}`);
      const held = 64 * 1024 * 1024;
      await memory.hold(held);
      const after = await client.rssBytes();
      assert.ok(after - before > held / 2, `${before} → ${after}`);
    },
  );
});
