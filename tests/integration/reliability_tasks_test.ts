/**
 * Misbehaving task code cannot take the pool down: a task stuck in a
 * synchronous loop gets its worker killed by the liveness probe, a task
 * that exits the process crashes only its own worker, and stray errors
 * (unhandled rejections, throws from timers) or errors that cannot even be
 * read leave the worker serving. Every affected call rejects with a typed
 * error; the pool replaces the workers it lost.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Remote, WorkerCrashed, WorkerPool } from "../../mod.ts";
import { settles } from "../_helpers/deadline.ts";
import { Gate } from "../_helpers/gate.ts";
import { isAlive } from "../_helpers/processes.ts";
import { RosterWatch } from "../_helpers/roster_watch.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const MISBEHAVING = import.meta.resolve(
  "../_fixtures/reliability/misbehaving.ts",
);
type Tasks = typeof import("../_fixtures/tasks.ts");
type Misbehaving = typeof import("../_fixtures/reliability/misbehaving.ts");

/** The error a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return await settles(
    promise.then(
      (value) => assert.fail(`resolved with ${value}`),
      (error: unknown) => error,
    ),
    "the call",
  );
}

/** `count` calls of `pid()`: the pids of the workers that served them. */
async function servingPids(
  tasks: Remote<Tasks>,
  count: number,
): Promise<number[]> {
  return await Promise.all(
    Array.from({ length: count }, () => settles(tasks.pid(), "a call")),
  );
}

/**
 * The liveness threshold of the probe test. A worker that spins never
 * answers, whatever the threshold; a healthy one must always answer within
 * it, also when the 2-core machine is loaded and the worker (or the
 * caller) is not scheduled for a while. 500 ms was within reach of such a
 * stall, which killed a healthy worker and failed its calls; 3 s keeps
 * six times that margin, at the cost of ~3 s of waiting for the spinner.
 */
const UNRESPONSIVE_MS = 3000;

Deno.test("WorkerPool kills a worker stuck in a synchronous loop when it misses its liveness probe (workerUnresponsiveMs): the call rejects with WorkerCrashed naming the probe, the worker is replaced, and later calls go to live workers", async () => {
  await using pool = await WorkerPool.start({
    spawn: 2,
    workerUnresponsiveMs: UNRESPONSIVE_MS,
  });
  using watch = new RosterWatch(pool);
  const tasks = pool.remote<Tasks>(TASKS);
  const before = pool.workers.map((worker) => worker.pid);
  await servingPids(tasks, 2);

  const error = await rejection(tasks.spin());
  assert.ok(error instanceof WorkerCrashed, `got ${error}`);
  assert.match(error.message, /liveness probe/);
  assert.match(error.message, /within 3000 ms \(workerUnresponsiveMs\)/);
  assert.equal(error.signal, "SIGKILL");
  assert.equal(error.exitCode, null);
  assert.ok(before.includes(error.pid), `pid ${error.pid}`);

  const left = await settles(
    watch.next("left", (change) => change.worker.id === error.workerId),
    "the hung worker leaving",
  );
  assert.equal(left.type === "left" && left.reason, "crashed");
  const joined = await settles(watch.next("joined"), "a replacement");
  assert.ok(isAlive(joined.worker.pid));
  assert.ok(!isAlive(error.pid), "the hung worker still runs");
  assert.equal(pool.workers.length, 2);

  const live = pool.workers.map((worker) => worker.pid);
  assert.ok(!live.includes(error.pid));
  for (const pid of await servingPids(tasks, 4)) {
    assert.ok(live.includes(pid), `served by ${pid}, not a live worker`);
  }
});

Deno.test("WorkerPool rejects a call whose task calls Deno.exit(3) with WorkerCrashed (exitCode 3, no signal), replaces the worker, and serves later calls on live workers", async () => {
  await using pool = await WorkerPool.start({ spawn: 1 });
  using watch = new RosterWatch(pool);
  const tasks = pool.remote<Tasks>(TASKS);
  const [worker] = pool.workers;

  const error = await rejection(tasks.crash(3));
  assert.ok(error instanceof WorkerCrashed, `got ${error}`);
  assert.equal(error.workerId, worker.id);
  assert.equal(error.pid, worker.pid);
  assert.equal(error.exitCode, 3);
  assert.equal(error.signal, null);
  assert.match(error.message, /exited with code 3/);

  const joined = await settles(watch.next("joined"), "a replacement");
  assert.notEqual(joined.worker.pid, worker.pid);
  assert.deepEqual(await servingPids(tasks, 2), [
    joined.worker.pid,
    joined.worker.pid,
  ]);
});

Deno.test("WorkerPool workers survive task code that leaves an unhandled rejection or throws from a timer: the same process serves later calls, and a call in flight on it finishes", async () => {
  await using pool = await WorkerPool.start({ spawn: 1 });
  using watch = new RosterWatch(pool);
  await using gate = Gate.open();
  const misbehaving = pool.remote<Misbehaving>(MISBEHAVING);
  const tasks = pool.remote<Tasks>(TASKS);
  const [worker] = pool.workers;
  let left = false;
  void watch.next("left").then(() => left = true);

  const inFlight = tasks.waitAtGate(gate.port, "finished");
  await settles(gate.arrived(1), "the call in flight");
  assert.equal(await misbehaving.strayRejection(), "answered");
  assert.equal(await misbehaving.strayThrow(), "answered");
  // The stray throw's timer fired before this later call was served.
  assert.equal(await tasks.pid(), worker.pid);
  await gate.release();
  assert.equal(await settles(inFlight, "the call in flight"), "finished");
  assert.equal(left, false, "the worker left the pool");
  assert.deepEqual(pool.workers, [worker]);
});

Deno.test("RemoteCall rejects with an Error saying the thrown value cannot be described when a task throws a hostile error (a throwing getter, a proxy's trap), and the worker stays", async () => {
  await using pool = await WorkerPool.start({ spawn: 1 });
  const misbehaving = pool.remote<Misbehaving>(MISBEHAVING);
  const tasks = pool.remote<Tasks>(TASKS);
  const [worker] = pool.workers;
  const cases: [string, Promise<unknown>, RegExp][] = [
    [
      "a throwing name getter",
      misbehaving.errorWithThrowingName(),
      /the name getter exploded/,
    ],
    [
      "a proxy whose ownKeys trap throws",
      misbehaving.proxiedError(),
      /the ownKeys trap exploded/,
    ],
    [
      "a generator's error with a throwing stack getter",
      (async () => {
        for await (const _ of misbehaving.yieldsThenHostileError()) {
          // Pulled until it throws.
        }
      })(),
      /the stack getter exploded/,
    ],
  ];
  for (const [name, call, cause] of cases) {
    const error = await rejection(call);
    assert.ok(error instanceof Error, `${name}: got ${error}`);
    assert.match(error.message, /Cannot describe the thrown value/, name);
    assert.match(error.message, cause, name);
  }
  assert.equal(await tasks.pid(), worker.pid);
  assert.deepEqual(pool.workers, [worker]);
});
