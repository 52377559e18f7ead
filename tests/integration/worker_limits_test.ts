/**
 * A worker's resources are bounded per connection: connections that have
 * not authenticated (how many, for how long), streams open at once (HTTP/2
 * streams, and tasks on one `Session` stream); a `Dispatch` stream
 * half-closed before its Task frame is answered; and `Session` stream ids
 * never collide, however large.
 *
 * Each is shown against a real worker process from clients that are not
 * the pool's code path: raw sockets, `node:http2`, raw grpc-js.
 *
 * @module
 */
import assert from "node:assert/strict";
import http2 from "node:http2";
import net from "node:net";
import { deserialize } from "node:v8";
import { WorkerPool } from "../../mod.ts";
import type { SessionResponseFrame, StreamId } from "../../src/wire/frames.ts";
import { settles } from "../_helpers/deadline.ts";
import { Gate } from "../_helpers/gate.ts";
import { startLoneWorker } from "../_helpers/lone_worker.ts";
import {
  GrpcStatus,
  RawWorkerClient,
  taskFrame,
} from "../_helpers/raw_client.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");

/** A raw connection to `path` that sends nothing, and when it closed. */
function rawConnection(path: string) {
  const socket = net.connect(path);
  socket.on("error", () => {});
  // Reading, so that the worker closing it is seen.
  socket.resume();
  const closed = new Promise<void>((resolve) => socket.once("close", resolve));
  return { socket, closed };
}

/** Calls `Idle` on an HTTP/2 session by hand; resolves with its grpc-status. */
function idleOver(
  session: http2.ClientHttp2Session,
  authorization: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = session.request({
      ":method": "POST",
      ":path": "/wool.v1.Worker/Idle",
      "content-type": "application/grpc",
      te: "trailers",
      authorization,
    });
    request.on("data", () => {});
    request.on("trailers", (trailers) => resolve(`${trailers["grpc-status"]}`));
    request.on("error", reject);
    // An empty message: the compressed flag and a zero length.
    request.end(new Uint8Array(5));
  });
}

Deno.test("Worker closes a connection beyond maxPendingConnections at once, while the pending ones stay open", async () => {
  await using worker = await startLoneWorker({
    maxPendingConnections: 2,
    pendingConnectionTimeoutMs: 60_000,
  });
  const [first, second, third] = [1, 2, 3].map(() =>
    rawConnection(worker.socketPath)
  );
  try {
    await settles(third.closed, "the third connection closing");
    assert.equal(first.socket.destroyed, false);
    assert.equal(second.socket.destroyed, false);
  } finally {
    first.socket.destroy();
    second.socket.destroy();
    await Promise.all([first.closed, second.closed]);
  }
  // Those two gone, a new connection is pending again, and is served. The
  // worker learns they closed a moment after this side does: until then a
  // new connection is still one too many, so the client redials.
  using raw = await RawWorkerClient.connect(worker.address, {
    authorization: worker.authorization,
    waitForReady: true,
  });
  assert.ok(await raw.idle() > 0);
});

Deno.test("Worker closes a connection that made no authenticated call within pendingConnectionTimeoutMs, and keeps an authenticated one", async () => {
  // Long enough for the session's first call to reach a new worker even
  // on a slow, busy machine.
  await using worker = await startLoneWorker({
    pendingConnectionTimeoutMs: 2000,
  });
  const session = http2.connect("http://localhost", {
    createConnection: () => net.connect(worker.socketPath),
  });
  let sessionClosed = false;
  const closed = new Promise<void>((resolve) =>
    session.once("close", () => {
      sessionClosed = true;
      resolve();
    })
  );
  session.on("error", () => {});
  try {
    assert.equal(await idleOver(session, worker.authorization), "0");
    // A connection that never authenticates, opened after the session's:
    // once its deadline passed and it was closed, the session's deadline
    // has passed too.
    const idle = rawConnection(worker.socketPath);
    await settles(idle.closed, "the idle connection closing");
    assert.equal(sessionClosed, false, "the authenticated session was closed");
    assert.equal(await idleOver(session, worker.authorization), "0");
  } finally {
    session.close();
    await closed;
  }
});

Deno.test("Worker runs at most maxConcurrentStreams streams of one connection at once", async () => {
  await using worker = await startLoneWorker({ maxConcurrentStreams: 2 });
  await using gate = Gate.open();
  using raw = await RawWorkerClient.connect(worker.address, {
    authorization: worker.authorization,
  });
  const outcomes = [1, 2, 3].map((value) =>
    raw.dispatch([
      taskFrame({ module: TASKS, export: "waitAtGate" }, [gate.port, value]),
    ])
  );
  await settles(gate.arrived(2), "two tasks arriving");
  // A round trip through the worker on another connection, after the
  // third stream was written on the first: it has not started.
  using other = await RawWorkerClient.connect(worker.address, {
    authorization: worker.authorization,
  });
  const probe = await other.dispatch([
    taskFrame({ module: TASKS, export: "add" }, [1, 2]),
  ]);
  assert.equal(probe.status.code, GrpcStatus.OK);
  assert.equal(gate.arrivals, 2);
  // A stream ends: the third starts.
  await gate.releaseSome(1);
  await settles(gate.arrived(3), "the third task arriving");
  await gate.release();
  for (const outcome of await Promise.all(outcomes)) {
    assert.equal(outcome.status.code, GrpcStatus.OK);
  }
});

Deno.test("Worker refuses a task beyond maxConcurrentStreams on one Session stream with RESOURCE_EXHAUSTED, and serves the others", async () => {
  await using worker = await startLoneWorker({ maxConcurrentStreams: 2 });
  await using gate = Gate.open();
  using raw = await RawWorkerClient.connect(worker.address, {
    authorization: worker.authorization,
  });
  const wait = (value: number) =>
    taskFrame({ module: TASKS, export: "waitAtGate" }, [gate.port, value]);
  const answered =
    (stream: StreamId) => (frames: readonly SessionResponseFrame[]) =>
      frames.some((frame) => frame.stream === stream);
  let release: Promise<void> | undefined;
  const outcome = raw.session(
    [1, 2, 3].map((stream, i) => ({
      stream,
      frame: "request",
      request: wait(i + 1),
    })),
    (frames) => {
      if (answered(3)(frames)) release ??= gate.release();
      return frames.filter((frame) =>
        frame.frame === "response" && frame.response.frame === "result"
      ).length === 2;
    },
  );
  const { frames, status } = await settles(outcome, "the session");
  await release;
  assert.equal(status.code, GrpcStatus.OK);
  const refusal = frames.find((frame) => frame.stream === 3);
  assert.ok(refusal?.frame === "status", `a ${refusal?.frame} frame`);
  assert.equal(refusal.status.code, GrpcStatus.RESOURCE_EXHAUSTED);
  assert.match(refusal.status.details, /limit 2/);
  assert.equal(gate.arrivals, 2);
});

Deno.test("Worker keeps Session stream ids apart above 2^53: each task is answered on its own id, exactly as sent", async () => {
  await using pool = await WorkerPool.start({ spawn: 1 });
  using raw = await RawWorkerClient.ofPool(pool);
  // As numbers, the first two would round to one id (2^53), as would the
  // next two (2^64); ids up to 2^53 - 1 come back as numbers.
  const ids: StreamId[] = [
    2n ** 53n,
    2n ** 53n + 1n,
    2n ** 64n - 1n,
    2n ** 64n - 2n,
    2 ** 53 - 1,
  ];
  const { frames, status } = await raw.session(
    ids.map((stream, i) => ({
      stream,
      frame: "request",
      request: taskFrame({ module: TASKS, export: "add" }, [i, 10]),
    })),
    (frames) => frames.length === ids.length * 2,
  );
  assert.equal(status.code, GrpcStatus.OK);
  ids.forEach((stream, i) => {
    const answers = frames.filter((frame) => frame.stream === stream);
    assert.deepEqual(
      answers.map((frame) =>
        frame.frame === "response" ? frame.response.frame : frame.frame
      ),
      ["ack", "result"],
      String(stream),
    );
    const result = answers[1];
    assert.ok(
      result.frame === "response" && result.response.frame === "result",
    );
    assert.equal(deserialize(result.response.result.value), i + 10);
  });
});

Deno.test("Worker answers a Dispatch stream half-closed before its Task frame with INVALID_ARGUMENT", async () => {
  await using pool = await WorkerPool.start({ spawn: 1 });
  using raw = await RawWorkerClient.ofPool(pool);
  const { frames, status } = await raw.dispatch([]);
  assert.deepEqual(frames, []);
  assert.equal(status.code, GrpcStatus.INVALID_ARGUMENT);
  assert.match(status.details, /before sending a Task frame/);
  assert.equal(
    await pool.dispatch({ module: TASKS, export: "add", args: [1, 2] }),
    3,
  );
});
