/**
 * How a standalone worker ends, as a real process: SIGTERM or SIGINT
 * drain it (a task in flight, coroutine or generator, completes; a new one
 * is rejected as stopping; `Info` says draining; exit 0), `--grace-ms`
 * bounds the drain, a second signal stops it at once, `Stop` drains it,
 * and SIGKILL fails the call in flight.
 *
 * @module
 */
import assert from "node:assert/strict";
import { deserialize } from "node:v8";
import type { ResponseFrame } from "../../src/wire/frames.ts";
import { REJECTION_CAUSE_METADATA_KEY } from "../../src/wire/status.ts";
import { Gate } from "../_helpers/gate.ts";
import { Inbox } from "../_helpers/inbox.ts";
import {
  type DispatchOutcome,
  GrpcStatus,
  RawWorkerClient,
  taskFrame,
} from "../_helpers/raw_client.ts";
import {
  StandaloneProcess,
  taskAtGate,
} from "../_helpers/standalone_process.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const NEXT = { frame: "next", next: {} } as const;

/** A worker anyone on loopback may call, with `flags`. */
function startWorker(...flags: string[]): Promise<StandaloneProcess> {
  return StandaloneProcess.start([
    "--listen",
    "127.0.0.2:0",
    "--insecure",
    ...flags,
  ]);
}

/** Sends `signal` and resolves once the worker said it is draining. */
async function signalDrain(
  worker: StandaloneProcess,
  signal: Deno.Signal,
): Promise<void> {
  worker.kill(signal);
  await worker.stderrLine((line) =>
    line.startsWith(`wool-worker: ${signal}: draining`)
  );
}

/** The values of the Result frames. */
function results(frames: readonly ResponseFrame[]): unknown[] {
  return frames.flatMap((frame) =>
    frame.frame === "result" ? [deserialize(frame.result.value)] : []
  );
}

/** Asserts a new task is rejected as stopping: UNAVAILABLE, transient. */
async function assertRejectedAsStopping(raw: RawWorkerClient): Promise<void> {
  const late = await raw.dispatch([
    taskFrame({ module: TASKS, export: "add" }, [1, 2]),
  ]);
  assert.equal(late.status.code, GrpcStatus.UNAVAILABLE, late.status.details);
  assert.equal(
    late.status.metadata.get(REJECTION_CAUSE_METADATA_KEY)[0],
    "stopping",
  );
  assert.deepStrictEqual(late.frames, []);
}

Deno.test("standalone worker: SIGTERM mid-task lets the task complete, rejects a new one as stopping, says draining, and exits 0", async () => {
  await using gate = Gate.open();
  await using worker = await startWorker();
  using raw = await RawWorkerClient.connect(worker.address);
  const { outcome: running } = await taskAtGate(raw, gate, "done");
  await signalDrain(worker, "SIGTERM");
  await assertRejectedAsStopping(raw);
  assert.equal((await raw.info()).draining, true);
  await gate.release();
  const { frames, status } = await running;
  assert.equal(status.code, GrpcStatus.OK);
  assert.deepStrictEqual(results(frames), ["done"]);
  const exit = await worker.exited;
  assert.equal(exit.code, 0, exit.stderr);
});

Deno.test("standalone worker: SIGINT drains it too, and a generator in flight streams to its end", async () => {
  await using gate = Gate.open();
  await using worker = await startWorker();
  using raw = await RawWorkerClient.connect(worker.address);
  const stream = raw.stream();
  stream.write(
    taskFrame({ module: TASKS, export: "gatedCount" }, [gate.port, 2]),
  );
  assert.equal((await stream.next())?.frame, "ack");
  stream.write(NEXT);
  await gate.arrived(1);
  await signalDrain(worker, "SIGINT");
  await assertRejectedAsStopping(raw);
  await gate.release();
  const answers: ResponseFrame[] = [];
  for (let step = 0; step < 3; step++) {
    const frame = await stream.next();
    assert.ok(frame !== undefined, `the stream ended after ${step} steps`);
    answers.push(frame);
    if (step < 2) stream.write(NEXT);
  }
  stream.end();
  assert.deepStrictEqual(results(answers), [0, 1]);
  assert.equal(answers.at(-1)?.frame, "done");
  assert.equal((await stream.status).code, GrpcStatus.OK);
  assert.equal((await worker.exited).code, 0);
});

Deno.test("standalone worker: a task still running after --grace-ms is cancelled, told why, and the worker exits 0", async () => {
  await using inbox = Inbox.open();
  await using worker = await startWorker("--grace-ms", "200");
  using raw = await RawWorkerClient.connect(worker.address);
  const running = raw.dispatch([
    taskFrame({ module: TASKS, export: "waitForAbort" }, [
      inbox.port,
      "message",
    ]),
  ]);
  await inbox.arrived(1);
  await signalDrain(worker, "SIGTERM");
  // The worker's reason, not the caller's: the stream the worker failed
  // reports back as an error, which must not rename it.
  assert.equal(
    await inbox.next(),
    "aborted:The worker stopped; the task did not finish within 200 ms",
  );
  const exit = await worker.exited;
  assert.equal(exit.code, 0, exit.stderr);
  const outcome: DispatchOutcome = await running;
  assert.equal(
    outcome.status.code,
    GrpcStatus.CANCELLED,
    outcome.status.details,
  );
});

Deno.test("standalone worker: a second signal while draining stops it at once, exit code 128 + the signal", async () => {
  await using gate = Gate.open();
  await using worker = await startWorker();
  using raw = await RawWorkerClient.connect(worker.address);
  const { outcome: running } = await taskAtGate(raw, gate, "never");
  await signalDrain(worker, "SIGTERM");
  worker.kill("SIGTERM");
  const exit = await worker.exited;
  assert.equal(exit.code, 128 + 15);
  assert.match(exit.stderr, /SIGTERM again: stopping at once/);
  assert.notEqual((await running).status.code, GrpcStatus.OK);
});

Deno.test("standalone worker: a Stop RPC drains it and it exits 0", async () => {
  await using worker = await startWorker();
  using raw = await RawWorkerClient.connect(worker.address);
  await raw.stop();
  const exit = await worker.exited;
  assert.equal(exit.code, 0, exit.stderr);
  assert.match(exit.stderr, /Stop: draining/);
});

Deno.test("standalone worker: SIGKILL fails the call in flight and leaves no process", async () => {
  await using gate = Gate.open();
  await using worker = await startWorker();
  using raw = await RawWorkerClient.connect(worker.address);
  const { outcome: running } = await taskAtGate(raw, gate, "never");
  worker.kill("SIGKILL");
  const exit = await worker.exited;
  assert.equal(exit.signal, "SIGKILL");
  assert.equal((await running).status.code, GrpcStatus.UNAVAILABLE);
  assert.throws(() => Deno.kill(worker.pid, "SIGCONT"), Deno.errors.NotFound);
});
