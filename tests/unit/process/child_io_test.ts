import assert from "node:assert/strict";
import {
  type ChildIo,
  FATAL_REPORT_WAIT_MS,
  watchChild,
} from "../../../src/process/child_io.ts";
import type { ProcessGroup } from "../../../src/process/process_group.ts";
import type { WorkerExit } from "../../../src/process/worker_exit.ts";
import {
  poolConnectionLimits,
  type WorkerConfig,
} from "../../../src/wire/launch.ts";

const encoder = new TextEncoder();
const OUT_OF_MEMORY = "# Fatal JavaScript out of memory: Reached heap limit";
const SIGTRAP = { success: false, code: 133, signal: "SIGTRAP" } as const;

/** A child process whose streams and exit the test drives. */
class FakeChild {
  readonly pid = 4242;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly stdin = new WritableStream<Uint8Array>();
  readonly status: Promise<Deno.CommandStatus>;
  readonly exit: (status: Deno.CommandStatus) => void;
  readonly #stdout: ReadableStreamDefaultController<Uint8Array>;
  readonly #stderr: ReadableStreamDefaultController<Uint8Array>;

  constructor() {
    let stdout!: ReadableStreamDefaultController<Uint8Array>;
    let stderr!: ReadableStreamDefaultController<Uint8Array>;
    this.stdout = new ReadableStream({ start: (c) => void (stdout = c) });
    this.stderr = new ReadableStream({ start: (c) => void (stderr = c) });
    this.#stdout = stdout;
    this.#stderr = stderr;
    const { promise, resolve } = Promise.withResolvers<Deno.CommandStatus>();
    this.status = promise;
    this.exit = resolve;
  }

  writeStderr(line: string): void {
    this.#stderr.enqueue(encoder.encode(`${line}\n`));
  }

  /** Ends both output streams, as the pipes closing. */
  closeOutput(): void {
    this.#stdout.close();
    this.#stderr.close();
  }
}

/** A process group that does nothing: there is no process. */
const NO_GROUP = { end() {}, signal() {} } as unknown as ProcessGroup;

const CONFIG: WorkerConfig = {
  id: "w1",
  nonce: "nonce",
  listen: "127.0.0.1:0",
  token: "a-test-token",
  limits: poolConnectionLimits(100),
  backpressure: null,
  backpressureTimeoutMs: 1000,
  maxMessageBytes: 1024 * 1024,
};

function watch(child: FakeChild): ChildIo {
  return watchChild(child as unknown as Deno.ChildProcess, NO_GROUP, CONFIG, {
    stdout: () => {},
    stderr: () => {},
  });
}

/** The exit `io` reports, and after how many milliseconds. */
async function timedStatus(io: ChildIo): Promise<[WorkerExit, number]> {
  const start = performance.now();
  const exit = await io.status;
  return [exit, performance.now() - start];
}

Deno.test("watchChild() reads a failed process's stderr to its end before it reports the exit, so V8's out-of-memory report that arrives after the exit still counts", async () => {
  const child = new FakeChild();
  const io = watch(child);
  child.exit(SIGTRAP);
  await new Promise((resolve) => setTimeout(resolve, 20));
  child.writeStderr("#");
  child.writeStderr(OUT_OF_MEMORY);
  child.closeOutput();
  assert.deepEqual(await io.status, {
    code: 133,
    signal: "SIGTRAP",
    cause: {
      kind: "out-of-memory",
      memory: "heap",
      detail: "Reached heap limit",
    },
  });
  await io.finished;
});

Deno.test("watchChild() reports a failed exit without a cause, at most FATAL_REPORT_WAIT_MS later, when its stderr stays open", async () => {
  const child = new FakeChild();
  const io = watch(child);
  child.exit({ success: false, code: 137, signal: "SIGKILL" });
  const [exit, ms] = await timedStatus(io);
  assert.deepEqual(exit, { code: 137, signal: "SIGKILL" });
  assert.ok(ms >= FATAL_REPORT_WAIT_MS - 5, `reported after ${ms} ms`);
  assert.ok(ms < FATAL_REPORT_WAIT_MS + 1000, `reported after ${ms} ms`);
  child.closeOutput();
  await io.finished;
});

Deno.test("watchChild() reports at once a failed exit whose out-of-memory report was read, and a successful exit, stderr still open", async () => {
  const reported = new FakeChild();
  const io = watch(reported);
  reported.writeStderr(OUT_OF_MEMORY);
  await new Promise((resolve) => setTimeout(resolve, 20));
  reported.exit(SIGTRAP);
  const [exit, ms] = await timedStatus(io);
  assert.equal(exit.cause?.kind, "out-of-memory");
  // Waiting for a report would take FATAL_REPORT_WAIT_MS at least; a
  // bound below that, not a tight one, so a stalled test process passes.
  assert.ok(ms < FATAL_REPORT_WAIT_MS - 5, `reported after ${ms} ms`);
  reported.closeOutput();
  await io.finished;

  const succeeded = new FakeChild();
  const quiet = watch(succeeded);
  succeeded.exit({ success: true, code: 0, signal: null });
  const [ok, okMs] = await timedStatus(quiet);
  assert.deepEqual(ok, { code: 0, signal: null });
  assert.ok(okMs < FATAL_REPORT_WAIT_MS - 5, `reported after ${okMs} ms`);
  succeeded.closeOutput();
  await quiet.finished;
});
