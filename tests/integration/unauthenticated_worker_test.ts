/**
 * A worker that refuses the pool's credentials (`UNAUTHENTICATED`) is a
 * misconfiguration, not overload: the pool reports it, naming the worker,
 * and it leaves the pool (reason `"unauthenticated"`); nothing was
 * delivered to it, so the next worker takes the task.
 *
 * The worker here is the real one, started by a command that gives it a
 * secret other than its pool's (`wrong_secret_worker.ts`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  NoWorkersAvailable,
  type RosterChange,
  type Transport,
  WorkerPool,
} from "../../mod.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const WRONG_SECRET = fileURLToPath(
  import.meta.resolve("../_fixtures/security/wrong_secret_worker.ts"),
);

/** A pool whose workers `wrong` hold a secret of their own. */
function startPool(
  spawn: number,
  wrong: string,
  options: { transport?: Transport; workerUnresponsiveMs?: number } = {},
): Promise<WorkerPool> {
  return WorkerPool.start({
    spawn,
    respawn: false,
    workerUnresponsiveMs: 0,
    ...options,
    worker: {
      command: Deno.execPath(),
      args: [
        "run",
        "-A",
        "--config",
        fileURLToPath(import.meta.resolve("../../deno.json")),
        WRONG_SECRET,
      ],
      env: { WOOL_WRONG_SECRET_FOR: wrong },
    },
  });
}

/** Resolves with the first worker to leave `pool`, and why. */
function nextLeave(pool: WorkerPool): Promise<RosterChange & { type: "left" }> {
  return new Promise((resolve) => {
    const stop = pool.subscribe((change) => {
      if (change.type !== "left") return;
      stop();
      resolve(change);
    });
  });
}

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool.dispatch() skips a worker that refuses the pool's credentials, which leaves the pool as "unauthenticated" (transport "${transport}")`, async () => {
    await using pool = await startPool(2, "w1", { transport });
    const [refusing, serving] = pool.workers;
    assert.equal(refusing.id, "w1");
    const left = nextLeave(pool);
    const results = [];
    for (let i = 0; i < 4; i++) {
      results.push(
        await pool.dispatch<number>({ module: TASKS, export: "pid", args: [] }),
      );
    }
    assert.deepEqual(results, [
      serving.pid,
      serving.pid,
      serving.pid,
      serving.pid,
    ]);
    const change = await left;
    assert.equal(change.worker.id, "w1");
    assert.equal(change.reason, "unauthenticated");
    assert.deepEqual(pool.workers, [serving]);
  });
}

Deno.test("NoWorkersAvailable names a worker that refused the pool's credentials, as UNAUTHENTICATED", async () => {
  await using pool = await startPool(1, "w1");
  const [worker] = pool.workers;
  const left = nextLeave(pool);
  const error = await pool.dispatch({
    module: TASKS,
    export: "add",
    args: [1, 2],
  })
    .then(() => undefined, (error: unknown) => error);
  assert.ok(error instanceof NoWorkersAvailable, `${error}`);
  assert.equal(error.causes.length, 1);
  const [cause] = error.causes;
  assert.equal(cause.address, worker.address);
  assert.equal(cause.code, "UNAUTHENTICATED");
  assert.match(cause.message, /^Worker w1 refused the pool's credentials/);
  assert.match(cause.message, /misconfiguration/);
  assert.match(cause.message, /not delivered/);
  assert.equal((await left).reason, "unauthenticated");
  assert.deepEqual(pool.workers, []);
});

Deno.test("WorkerPool's liveness probe takes a worker that refuses the pool's credentials out as \"unauthenticated\", not as hung", async () => {
  // A refusal comes back on the first probe (1 s in); a probe given 4 s
  // to answer is not missed because a process stalled.
  await using pool = await startPool(1, "w1", { workerUnresponsiveMs: 4000 });
  const change = await nextLeave(pool);
  assert.equal(change.worker.id, "w1");
  assert.equal(change.reason, "unauthenticated");
});
