import assert from "node:assert/strict";
import { WorkerStartError } from "../../../src/process/errors.ts";
import {
  planWorkerLaunch,
  resolveWorkerLaunch,
  type WorkerLaunchOptions,
} from "../../../src/process/launch.ts";
import type { OutputSink } from "../../../src/process/output_relay.ts";
import {
  spawnWorker,
  type SpawnWorkerOptions,
  WorkerProcess,
} from "../../../src/process/worker_process.ts";
import {
  poolConnectionLimits,
  type WorkerConfig,
} from "../../../src/wire/launch.ts";
import type { ResolvedWorkerLaunch } from "../../../src/process/launch.ts";
import type { GroupWatcher } from "../../../src/process/process_group.ts";
import { groupMembers, waitForExit } from "../../_helpers/processes.ts";

const ENTRY = new URL("../../../src/worker/main.ts", import.meta.url);
const FIXTURES = new URL("../../_fixtures/process/", import.meta.url);

/** The command line of a worker listening on TCP on loopback. */
function launchOf(options: WorkerLaunchOptions): ResolvedWorkerLaunch {
  return resolveWorkerLaunch(planWorkerLaunch(options, ENTRY), {
    host: "127.0.0.1",
  });
}

function fixtureLaunch(name: string, ...extra: string[]): ResolvedWorkerLaunch {
  return launchOf({
    command: Deno.execPath(),
    args: ["run", "-A", "--no-config", new URL(name, FIXTURES).href, ...extra],
  });
}

function workerConfig(id = "w1"): WorkerConfig {
  return {
    id,
    nonce: crypto.randomUUID(),
    listen: "127.0.0.1:0",
    token: "a-test-token",
    limits: poolConnectionLimits(100),
    backpressure: null,
    backpressureTimeoutMs: 1000,
    maxMessageBytes: 1024 * 1024,
  };
}

/** A sink that keeps the lines it gets and tells when one arrives. */
class LineLog {
  readonly lines: string[] = [];
  readonly #waiters: { match: RegExp; resolve: () => void }[] = [];

  readonly sink: OutputSink = (text) => {
    for (const line of text.split("\n").slice(0, -1)) {
      this.lines.push(line);
      for (const waiter of [...this.#waiters]) {
        if (waiter.match.test(line)) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    }
  };

  waitFor(match: RegExp): Promise<void> {
    if (this.lines.some((line) => match.test(line))) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }
}

function sinks(): { stdout: LineLog; stderr: LineLog } {
  return { stdout: new LineLog(), stderr: new LineLog() };
}

function options(
  logs: { stdout: LineLog; stderr: LineLog },
  extra: Partial<SpawnWorkerOptions> = {},
): SpawnWorkerOptions {
  return {
    startTimeoutMs: 30_000,
    stdout: logs.stdout.sink,
    stderr: logs.stderr.sink,
    ...extra,
  };
}

/** Awaits a start that must fail; stops the worker if it started anyway. */
async function startError(
  starting: Promise<WorkerProcess>,
): Promise<WorkerStartError> {
  let worker: WorkerProcess;
  try {
    worker = await starting;
  } catch (error) {
    assert.ok(
      error instanceof WorkerStartError,
      `not a WorkerStartError: ${error}`,
    );
    return error;
  }
  await worker.stop();
  assert.fail("the worker started");
}

Deno.test("spawnWorker() resolves once the ready line arrives, with the worker's address and pid", async () => {
  const logs = sinks();
  const launch = fixtureLaunch("fake_worker.ts");
  const worker = await spawnWorker(launch, workerConfig("w1"), options(logs));
  assert.equal(worker.id, "w1");
  assert.equal(worker.address, "127.0.0.1:1");
  assert.ok(Number.isInteger(worker.pid) && worker.pid > 0);
  assert.deepEqual(worker.command, [launch.command, ...launch.args]);
  assert.equal(worker.state, "ready");

  assert.deepEqual(await worker.stop(), { code: 0, signal: null });
  assert.equal(worker.state, "exited");
  assert.deepEqual(logs.stdout.lines, [
    "[wool w1] hello from w1",
    "[wool w1] after ready",
    "[wool w1] stdin closed, bye",
  ]);
  assert.deepEqual(logs.stderr.lines, ["[wool w1] a line on stderr"]);
});

Deno.test("spawnWorker() writes the config on stdin as one JSON line", async () => {
  const logs = sinks();
  const config = workerConfig("config-check");
  await using worker = await spawnWorker(
    fixtureLaunch("fake_worker.ts"),
    config,
    options(logs),
  );
  // The fixture greets with the id it read from the config line.
  await logs.stdout.waitFor(/hello from config-check$/);
  assert.equal(worker.id, "config-check");
});

Deno.test("spawnWorker() relays a line that spoofs the ready line with another nonce as output", async () => {
  const logs = sinks();
  const worker = await spawnWorker(
    fixtureLaunch("spoof.ts"),
    workerConfig("w2"),
    options(logs),
  );
  assert.equal(worker.address, "127.0.0.1:2");
  await worker.stop();
  assert.equal(logs.stdout.lines.length, 2);
  assert.match(
    logs.stdout.lines[0],
    /^\[wool w2\] not-the-nonce ready .*10\.0\.0\.1:666/,
  );
  assert.match(
    logs.stdout.lines[1],
    /^\[wool w2\] \S+x ready .*10\.0\.0\.2:666/,
  );
});

Deno.test("spawnWorker() rejects with WorkerStartError when the process exits before ready", async () => {
  const logs = sinks();
  const launch = fixtureLaunch("exit_before_ready.ts");
  const error = await startError(
    spawnWorker(launch, workerConfig("w1"), options(logs)),
  );
  assert.equal(
    error.message,
    "Cannot start worker w1: the process exited with code 3 before it was ready: boom: cannot start",
  );
  assert.equal(error.name, "WorkerStartError");
  assert.equal(error.workerId, "w1");
  assert.equal(error.exitCode, 3);
  assert.equal(error.signal, null);
  assert.equal(error.stderr, "starting\nboom: cannot start\n");
  assert.deepEqual(error.command, [launch.command, ...launch.args]);
  assert.deepEqual(logs.stderr.lines, [
    "[wool w1] starting",
    "[wool w1] boom: cannot start",
  ]);
});

Deno.test("spawnWorker() rejects with the worker's own error when it reports failed", async () => {
  const logs = sinks();
  const error = await startError(
    spawnWorker(fixtureLaunch("fails.ts"), workerConfig("w3"), options(logs)),
  );
  assert.equal(
    error.message,
    "Cannot start worker w3: the hook export is not a function",
  );
  assert.ok(error.cause instanceof TypeError);
  assert.equal(error.cause.message, "the hook export is not a function");
  assert.ok(error.cause.cause instanceof Error);
  assert.equal(error.cause.cause.message, "found a number");
  assert.equal(error.exitCode, 1);
  assert.equal(error.signal, null);
  assert.equal(error.stderr, "loading the hook\n");
  assert.deepEqual(logs.stdout.lines, [], "the failed line is not relayed");
});

Deno.test("spawnWorker() kills a worker whose status line is malformed", async () => {
  const config = workerConfig("w8");
  const error = await startError(
    spawnWorker(fixtureLaunch("malformed_status.ts"), config, options(sinks())),
  );
  assert.equal(
    error.message,
    `Cannot start worker w8: the process printed a malformed status line: ${config.nonce} ready {"address":`,
  );
  assert.ok(error.cause instanceof SyntaxError);
  assert.equal(error.signal, "SIGKILL");
});

Deno.test("spawnWorker() kills a worker with no ready line within startTimeoutMs", async () => {
  const logs = sinks();
  const error = await startError(
    spawnWorker(
      fixtureLaunch("never_ready.ts"),
      workerConfig("w4"),
      options(logs, { startTimeoutMs: 200 }),
    ),
  );
  assert.equal(
    error.message,
    "Cannot start worker w4: no ready line within 200 ms",
  );
  assert.equal(error.signal, "SIGKILL");
  assert.equal(error.exitCode, null);
});

Deno.test("spawnWorker() kills the worker when its signal aborts", async () => {
  const logs = sinks();
  const controller = new AbortController();
  const reason = new Error("the pool is closing");
  logs.stdout.waitFor(/still starting/).then(() => controller.abort(reason));
  const error = await startError(
    spawnWorker(
      fixtureLaunch("never_ready.ts"),
      workerConfig("w5"),
      options(logs, { signal: controller.signal }),
    ),
  );
  assert.equal(error.message, "Cannot start worker w5: the start was aborted");
  assert.equal(error.cause, reason);
  assert.equal(error.signal, "SIGKILL");
  assert.deepEqual(logs.stdout.lines, ["[wool w5] w5 is still starting"]);
});

Deno.test("spawnWorker() spawns nothing when its signal is already aborted", async () => {
  const error = await startError(
    spawnWorker(
      fixtureLaunch("fake_worker.ts"),
      workerConfig("w6"),
      options(sinks(), { signal: AbortSignal.abort("no") }),
    ),
  );
  assert.equal(error.message, "Cannot start worker w6: the start was aborted");
  assert.equal(error.cause, "no");
  assert.equal(error.exitCode, null);
  assert.equal(error.signal, null);
});

Deno.test("spawnWorker() rejects with WorkerStartError when the command cannot be run", async () => {
  const launch = launchOf({
    command: "/nonexistent/wool-worker",
    args: ["--x"],
  });
  const error = await startError(
    spawnWorker(launch, workerConfig("w7"), options(sinks())),
  );
  assert.match(
    error.message,
    /^Cannot start worker w7: cannot run "\/nonexistent\/wool-worker": NotFound: /,
  );
  assert.ok(error.cause instanceof Deno.errors.NotFound);
  assert.deepEqual(error.command, ["/nonexistent/wool-worker", "--x"]);
  assert.equal(error.exitCode, null);
  assert.equal(error.signal, null);
  assert.equal(error.stderr, "");
});

Deno.test("WorkerProcess.exited resolves with the signal when the worker is killed with SIGKILL", async () => {
  const worker = await spawnWorker(
    fixtureLaunch("fake_worker.ts"),
    workerConfig(),
    options(sinks()),
  );
  worker.kill("SIGKILL");
  const exit = await worker.exited;
  assert.equal(exit.signal, "SIGKILL");
  assert.equal(worker.state, "exited");
  worker.kill("SIGKILL"); // does nothing once exited
  assert.deepEqual(await worker.stop(), exit);
});

Deno.test("WorkerProcess.exitStatus settles as the process exits, while its output is still being relayed", async () => {
  const relaying = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  const worker = await spawnWorker(
    fixtureLaunch("fake_worker.ts"),
    workerConfig(),
    {
      startTimeoutMs: 30_000,
      stdout: () => {},
      // The relay waits for the sink: stderr cannot end before `release`.
      stderr: () => {
        relaying.resolve();
        return release.promise;
      },
    },
  );
  await relaying.promise;
  worker.kill("SIGKILL");
  const exit = await worker.exitStatus;
  assert.equal(exit.signal, "SIGKILL");
  let drained = false;
  void worker.exited.then(() => drained = true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(drained, false, "exited before its output was relayed");
  release.resolve();
  assert.deepEqual(await worker.exited, exit);
});

Deno.test("WorkerProcess.closeStdin() makes the worker exit on its own", async () => {
  const logs = sinks();
  const worker = await spawnWorker(
    fixtureLaunch("fake_worker.ts"),
    workerConfig(),
    options(logs),
  );
  await worker.closeStdin();
  await worker.closeStdin();
  assert.deepEqual(await worker.exited, { code: 0, signal: null });
  assert.equal(logs.stdout.lines.at(-1), "[wool w1] stdin closed, bye");
});

Deno.test("WorkerProcess.stop() sends SIGTERM to a worker that ignores its stdin closing", async () => {
  const logs = sinks();
  const worker = await spawnWorker(
    fixtureLaunch("ignores_stdin_close.ts"),
    workerConfig(),
    options(logs),
  );
  const stopping = worker.stop({ timeoutMs: 100, termTimeoutMs: 60_000 });
  assert.equal(worker.state, "stopping");
  assert.equal((await stopping).signal, "SIGTERM");
  assert.equal(worker.state, "exited");
});

Deno.test("WorkerProcess.stop() sends SIGKILL to a worker that also ignores SIGTERM", async () => {
  const logs = sinks();
  const worker = await spawnWorker(
    fixtureLaunch("ignores_stdin_close.ts", "--ignore-sigterm"),
    workerConfig(),
    options(logs),
  );
  const exit = await worker.stop({ timeoutMs: 100, termTimeoutMs: 100 });
  assert.equal(exit.signal, "SIGKILL");
  assert.equal(worker.state, "exited");
});

Deno.test("WorkerProcess.stop() rejects a negative timeout", async () => {
  await using worker = await spawnWorker(
    fixtureLaunch("fake_worker.ts"),
    workerConfig(),
    options(sinks()),
  );
  await assert.rejects(worker.stop({ timeoutMs: -1 }), RangeError);
  assert.equal(worker.state, "ready");
});

/** A watcher that records what it is told. */
class WatchLog implements GroupWatcher {
  readonly calls: string[] = [];
  watch(pgid: number): void {
    this.calls.push(`watch ${pgid}`);
  }
  kill(pgid: number): void {
    this.calls.push(`kill ${pgid}`);
  }
  forget(pgid: number): void {
    this.calls.push(`forget ${pgid}`);
  }
}

Deno.test("spawnWorker() starts the worker leading a process group of its own, and once it exits kills the rest of the group and tells the reaper to forget it", async () => {
  const logs = sinks();
  const reaper = new WatchLog();
  const worker = await spawnWorker(
    fixtureLaunch("forks.ts"),
    workerConfig(),
    options(logs, { reaper }),
  );
  assert.deepEqual(reaper.calls, [`watch ${worker.pid}`]);
  await logs.stdout.waitFor(/child \d+$/);
  const child = Number(logs.stdout.lines.at(-1)!.split(" ").at(-1));
  assert.deepEqual(
    groupMembers(worker.pid).sort((a, b) => a - b),
    [worker.pid, child].sort((a, b) => a - b),
  );

  // The worker exits on its own, leaving its child holding its stdout:
  // the relay ends only because the child was killed (its pipes close a
  // moment before the process table shows it gone).
  assert.deepEqual(await worker.stop(), { code: 0, signal: null });
  await waitForExit(child, 5000);
  assert.deepEqual(groupMembers(worker.pid), []);
  assert.deepEqual(reaper.calls, [
    `watch ${worker.pid}`,
    `forget ${worker.pid}`,
  ]);
});

Deno.test("WorkerProcess cannot be constructed outside spawnWorker()", () => {
  assert.throws(
    // @ts-expect-error: the first argument is a token only its module holds.
    () => new WorkerProcess(Symbol("forged"), {}),
    new TypeError(
      "Cannot construct WorkerProcess: use spawnWorker() to start a worker",
    ),
  );
});

Deno.test("spawnWorker() starts the real worker entry with only the permissions it needs", async () => {
  const logs = sinks();
  const launch = launchOf({ permissions: "none" });
  const worker = await spawnWorker(launch, workerConfig(), options(logs));
  assert.match(worker.address, /^127\.0\.0\.1:\d+$/);
  assert.ok(!launch.args.includes("--allow-all"));
  assert.deepEqual(await worker.stop(), { code: 0, signal: null });
});
