/**
 * Nothing a task starts outlives its worker: each worker leads a process
 * group of its own, which `close()`, a crash, a liveness kill and the death
 * of the pool's process all end. Each test has a task start `sleep 60` and
 * learns its pid, then checks in `/proc` that the child and every member
 * of the worker's group are gone within 5 s.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { WorkerCrashed, WorkerPool } from "../../mod.ts";
import { grantFlags, poolPermissions } from "../../src/process/preflight.ts";
import { settles } from "../_helpers/deadline.ts";
import { Inbox } from "../_helpers/inbox.ts";
import {
  childrenOf,
  groupMembers,
  isAlive,
  waitForExit,
  waitForGroupEnd,
} from "../_helpers/processes.ts";
import { RosterWatch } from "../_helpers/roster_watch.ts";

const CHILDREN = import.meta.resolve("../_fixtures/lifecycle/children.ts");
const HOLD_GROUPS = fileURLToPath(
  import.meta.resolve("../_fixtures/scripts/hold_groups.ts"),
);
const NARROW_RUN_POOL = fileURLToPath(
  import.meta.resolve("../_fixtures/scripts/narrow_run_pool.ts"),
);
type Children = typeof import("../_fixtures/lifecycle/children.ts");

/** The bound, from the pool's act to the last process gone (the contract). */
const GONE_WITHIN_MS = 5000;
/** A worker whose pool died exits within this, even while it spins. */
const SPINNER_GONE_WITHIN_MS = 2000;

/** Checks that the worker leads a group holding it and its child. */
function assertGroup(worker: number, child: number): void {
  assert.ok(isAlive(child), `child ${child} is not running`);
  assert.deepEqual(
    groupMembers(worker).sort((a, b) => a - b),
    [worker, child].sort((a, b) => a - b),
    `group ${worker} is not the worker and its child`,
  );
}

/** Waits until the child and the worker's whole group are gone. */
async function assertGone(worker: number, child: number): Promise<void> {
  await waitForExit(child, GONE_WITHIN_MS);
  await waitForGroupEnd(worker, GONE_WITHIN_MS);
}

Deno.test("WorkerPool.close() ends each worker's process group: a process a task started is gone within 5 s", async () => {
  const pool = await WorkerPool.start({ spawn: 1 });
  let pids;
  try {
    pids = await pool.remote<Children>(CHILDREN).startChild();
    assert.equal(pids.worker, pool.workers[0].pid);
    assertGroup(pids.worker, pids.child);
  } finally {
    await pool.close();
  }
  await assertGone(pids.worker, pids.child);
});

Deno.test("WorkerPool ends the process group of a worker that crashed (SIGKILL): a process its task started is gone within 5 s, and the replacement serves", async () => {
  await using pool = await WorkerPool.start({ spawn: 1 });
  using watch = new RosterWatch(pool);
  const children = pool.remote<Children>(CHILDREN);
  const pids = await children.startChild();
  assertGroup(pids.worker, pids.child);

  Deno.kill(pids.worker, "SIGKILL");
  await assertGone(pids.worker, pids.child);
  const joined = await settles(watch.next("joined"), "a replacement");
  const next = await children.startChild();
  assert.equal(next.worker, joined.worker.pid);
  assertGroup(next.worker, next.child);
});

Deno.test("WorkerPool ends the process group of a worker it kills for missing its liveness probe: a process its spinning task started is gone within 5 s", async () => {
  await using inbox = Inbox.open();
  await using pool = await WorkerPool.start({
    spawn: 1,
    // As in reliability_tasks_test.ts: no healthy worker misses 3 s.
    workerUnresponsiveMs: 3000,
  });
  const spinning = pool.remote<Children>(CHILDREN).childThenSpin(inbox.port);
  const [worker, child] = (await settles(inbox.next(), "the task's report"))
    .split(" ").map(Number);
  assert.ok(isAlive(child), `child ${child} is not running`);

  const error = await settles(
    spinning.then(() => assert.fail("the spinning call resolved"), (e) => e),
    "the spinning call",
  );
  assert.ok(error instanceof WorkerCrashed, `got ${error}`);
  assert.match(error.message, /liveness probe/);
  await assertGone(worker, child);
});

/** Reads `stream` line by line; each line is handed out once. */
function lines(stream: ReadableStream<Uint8Array>): {
  next(): Promise<string>;
  rest: Promise<void>;
} {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let more: Promise<void> | undefined;
  const read = async () => {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the script ended before a line: ${text}`);
    text += value;
  };
  return {
    async next() {
      while (!text.includes("\n")) await (more = read());
      const line = text.slice(0, text.indexOf("\n"));
      text = text.slice(text.indexOf("\n") + 1);
      return line;
    },
    get rest() {
      return (async () => {
        await more?.catch(() => {});
        while (!(await reader.read()).done) {
          // Drained so the pipe is read to its end.
        }
      })();
    },
  };
}

Deno.test("WorkerPool's process dying by SIGKILL ends every worker's process group: a worker spinning in a synchronous loop exits within 2 s, and every process the pool or its tasks started is gone within 5 s", async () => {
  await using inbox = Inbox.open();
  const script = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", HOLD_GROUPS, String(inbox.port)],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const output = lines(script.stdout);
  const reports: number[][] = [];
  let started: number[] = [];
  let workers: number[] = [];
  try {
    workers = JSON.parse(await settles(output.next(), "the workers' pids"));
    for (let i = 0; i < 2; i++) {
      const line = await settles(inbox.next(), "a task's report");
      reports.push(line.split(" ").map(Number));
    }
    // Everything the pool's process started: its workers and its reaper.
    started = childrenOf(script.pid);
  } finally {
    // The pool's process dies without closing its pool.
    script.kill("SIGKILL");
    assert.equal((await script.status).signal, "SIGKILL");
    await output.rest;
  }
  const [[spinner, spinnerChild], [other, otherChild]] = reports.reverse();
  assert.deepEqual(new Set([spinner, other]), new Set(workers));
  for (const worker of workers) assert.ok(started.includes(worker));
  assert.ok(started.length > workers.length, "no reaper was started");

  // Its stdin closing alone cannot end a worker whose event loop spins.
  await waitForExit(spinner, SPINNER_GONE_WITHIN_MS);
  await assertGone(spinner, spinnerChild);
  await assertGone(other, otherChild);
  await Promise.all(started.map((pid) => waitForExit(pid, GONE_WITHIN_MS)));
});

Deno.test("WorkerPool.close() ends a worker's process group also when the pool's process may run only Deno and /bin/sh (no Deno.kill of a group): its reaper kills what is left", async () => {
  const proto = fileURLToPath(import.meta.resolve("../../proto/wool.proto"));
  const flags = grantFlags([
    ...poolPermissions({
      commands: [Deno.execPath(), "/bin/sh"],
      socketParent: Deno.env.get("TMPDIR") || "/tmp",
    }),
    { descriptor: { name: "read", path: proto }, why: "the protocol file" },
  ]);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      ...flags,
      NARROW_RUN_POOL,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  assert.equal(code, 0, text.decode(stderr));
  const { run, worker, child } = JSON.parse(text.decode(stdout));
  assert.equal(run, "prompt", "the pool's process may run anything");
  await assertGone(worker, child);
});
