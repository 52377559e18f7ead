/**
 * Worker recycling (`recycle: { maxTasks, maxRssBytes }`) with real
 * workers: a worker past a limit is replaced without failing any call. Its
 * replacement joins first, then it leaves the roster ("recycled") and gets
 * no new task, its calls in flight (an open generator stream) finish, and
 * then its process exits.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  PoolClosed,
  type Remote,
  type RosterChange,
  WorkerPool,
} from "../../mod.ts";
import { settles } from "../_helpers/deadline.ts";
import { isAlive, waitForExit } from "../_helpers/processes.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const MEMORY = import.meta.resolve("../_fixtures/lifecycle/memory.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");
type Memory = typeof import("../_fixtures/lifecycle/memory.ts");

const MiB = 1024 * 1024;
/** Calls made, one after the other, while a worker is being replaced. */
const MAX_CALLS = 50_000;
/** The old worker's process is gone within this once its calls ended. */
const EXIT_WITHIN_MS = 5000;

/** The pool's membership changes, as `"joined w2"`, `"left w1 recycled"`. */
class ChangeLog implements Disposable {
  readonly lines: string[] = [];
  readonly #stop: () => void;

  constructor(pool: WorkerPool) {
    this.#stop = pool.subscribe((change) =>
      this.lines.push(
        change.type === "joined"
          ? `joined ${change.worker.id}`
          : `left ${change.worker.id} ${change.reason}`,
      )
    );
  }

  [Symbol.dispose](): void {
    this.#stop();
  }
}

/**
 * Calls `pid()` one call after another until `done()`, at most
 * {@linkcode MAX_CALLS} times; every call must succeed. Returns the pids
 * that served them.
 */
async function callUntil(
  tasks: Remote<Tasks>,
  done: () => boolean,
): Promise<Set<number>> {
  const served = new Set<number>();
  for (let i = 0; i < MAX_CALLS && !done(); i++) {
    served.add(await settles(tasks.pid(), "a call during the recycling"));
  }
  return served;
}

/** A promise of the first change that has `worker` leaving, and a flag. */
function leaving(
  pool: WorkerPool,
  workerId: string,
): { left: Promise<RosterChange>; done: () => boolean } {
  let done = false;
  const left = new Promise<RosterChange>((resolve) => {
    const stop = pool.subscribe((change) => {
      if (change.type !== "left" || change.worker.id !== workerId) return;
      stop();
      done = true;
      resolve(change);
    });
  });
  return { left, done: () => done };
}

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool with recycle.maxTasks replaces a worker after that many tasks, failing no call: the replacement joins, the worker leaves "recycled", its open generator stream finishes, then its process exits (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({
      spawn: 1,
      recycle: { maxTasks: 3 },
      transport,
    });
    using changes = new ChangeLog(pool);
    const tasks = pool.remote<Tasks>(TASKS);
    const [old] = pool.workers;
    const { left, done } = leaving(pool, old.id);

    // Task 1: a generator whose stream stays open through the recycling.
    const stream = tasks.count(4)[Symbol.asyncIterator]();
    assert.deepEqual(await stream.next(), { value: 0, done: false });
    // Tasks 2 and 3: the third reaches the limit.
    assert.deepEqual([await tasks.pid(), await tasks.pid()], [
      old.pid,
      old.pid,
    ]);

    // Calls made while the replacement starts go to the old worker, until
    // the replacement has joined; none fails.
    const served = await callUntil(tasks, done);
    assert.equal((await settles(left, "the worker leaving")).type, "left");
    assert.equal(changes.lines.length, 2, changes.lines.join("; "));
    const [joined, leave] = changes.lines;
    const [, newId] = joined.split(" ");
    assert.deepEqual([joined, leave], [
      `joined ${newId}`,
      `left ${old.id} recycled`,
    ]);
    const [fresh] = pool.workers;
    assert.deepEqual(pool.workers.map((worker) => worker.id), [newId]);
    assert.notEqual(fresh.pid, old.pid);
    for (const pid of served) assert.ok(pid === old.pid || pid === fresh.pid);

    // The next call goes to the new worker; the old one runs on, draining.
    assert.equal(await tasks.pid(), fresh.pid);
    assert.ok(isAlive(old.pid), "the old worker stopped before its stream");
    const rest: number[] = [];
    for (let step = await stream.next(); !step.done;) {
      rest.push(step.value);
      step = await stream.next();
    }
    assert.deepEqual(rest, [1, 2, 3]);

    await waitForExit(old.pid, EXIT_WITHIN_MS);
    assert.deepEqual(pool.workers.map((worker) => worker.pid), [fresh.pid]);
    assert.equal(await tasks.add(1, 2), 3);
  });
}

Deno.test("WorkerPool with recycle.maxRssBytes replaces a worker a task grew past the limit, failing no call, and the old process exits", async () => {
  const limit = 192 * MiB;
  await using pool = await WorkerPool.start({
    spawn: 1,
    recycle: { maxRssBytes: limit },
    // RSS comes with each liveness probe: one every second.
    workerUnresponsiveMs: 4000,
  });
  using changes = new ChangeLog(pool);
  const memory = pool.remote<Memory>(MEMORY);
  const tasks = pool.remote<Tasks>(TASKS);
  const [old] = pool.workers;
  const { left, done } = leaving(pool, old.id);

  const before = await memory.rss();
  assert.ok(before < limit, `a fresh worker holds ${before} bytes already`);
  const grown = await memory.hold(256 * MiB);
  assert.ok(grown > limit, `the worker holds only ${grown} bytes`);

  const served = await callUntil(tasks, done);
  const leave = await settles(left, "the worker leaving");
  assert.equal(leave.type === "left" && leave.reason, "recycled");
  const [fresh] = pool.workers;
  assert.deepEqual(changes.lines, [
    `joined ${fresh.id}`,
    `left ${old.id} recycled`,
  ]);
  for (const pid of served) assert.ok(pid === old.pid || pid === fresh.pid);
  assert.equal(await tasks.pid(), fresh.pid);
  assert.ok(await memory.rss() < limit);
  await waitForExit(old.pid, EXIT_WITHIN_MS);
});

Deno.test("WorkerPool.close() ends a recycled worker that still drains: its open stream rejects with PoolClosed, and no process is left", async () => {
  const pool = await WorkerPool.start({ spawn: 1, recycle: { maxTasks: 1 } });
  let pids: number[] = [];
  try {
    const tasks = pool.remote<Tasks>(TASKS);
    const [old] = pool.workers;
    const { left } = leaving(pool, old.id);
    const stream = tasks.count(4)[Symbol.asyncIterator]();
    assert.deepEqual(await stream.next(), { value: 0, done: false });
    await settles(left, "the worker leaving");
    pids = [old.pid, ...pool.workers.map((worker) => worker.pid)];
    assert.equal(pids.length, 2);

    await settles(pool.close({ graceMs: 0 }), "close()");
    await assert.rejects(stream.next(), PoolClosed);
  } finally {
    await pool.close();
  }
  for (const pid of pids) assert.ok(!isAlive(pid), `worker ${pid} was left`);
});
