/**
 * Workers that die: a worker killed with SIGKILL while tasks run on it
 * fails exactly those calls with `WorkerCrashed`, leaves the pool, and is
 * replaced (`respawn`), while other calls go to live workers; replacements
 * that keep dying at start-up are retried with a growing backoff, the pool
 * keeps serving with the survivors, and `close()` still ends everything.
 *
 * (A pool whose own process is killed is in `stdin_close_test.ts`.)
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Remote, WorkerCrashed, WorkerPool } from "../../mod.ts";
import { settles } from "../_helpers/deadline.ts";
import { Gate } from "../_helpers/gate.ts";
import { Inbox } from "../_helpers/inbox.ts";
import { isAlive } from "../_helpers/processes.ts";
import { RosterWatch } from "../_helpers/roster_watch.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const LIFECYCLE = import.meta.resolve("../_fixtures/reliability/lifecycle.ts");
const FLAKY_LAUNCHER = fileURLToPath(
  import.meta.resolve("../_fixtures/reliability/flaky_launcher.ts"),
);
type Tasks = typeof import("../_fixtures/tasks.ts");
type Lifecycle = typeof import("../_fixtures/reliability/lifecycle.ts");

/** Calls in flight at the gate, spread over the pool's workers. */
const IN_FLIGHT = 6;

/** Resolves once `count` of `promises` have settled. */
function settledCount(
  promises: readonly Promise<unknown>[],
  count: number,
): Promise<void> {
  let settled = 0;
  return new Promise((resolve) => {
    for (const promise of promises) {
      promise.finally(() => {
        if (++settled === count) resolve();
      }).catch(() => {});
    }
  });
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

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool rejects each call in flight on a worker killed with SIGKILL with WorkerCrashed (workerId, pid, signal), the worker leaves, a replacement joins, and calls go to live workers (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({ spawn: 2, transport });
    using watch = new RosterWatch(pool);
    await using gate = Gate.open();
    const tasks = pool.remote<Tasks>(TASKS);
    const lifecycle = pool.remote<Lifecycle>(LIFECYCLE);
    const [victim, survivor] = pool.workers;
    await servingPids(tasks, 2);

    await using inbox = Inbox.open();
    const calls = Array.from(
      { length: IN_FLIGHT },
      () => lifecycle.pidAtGate(gate.port, inbox.port).then((pid) => pid),
    );
    /** Each call's error, once it has rejected. */
    const outcomes: unknown[] = calls.map(() => undefined);
    calls.forEach((call, i) =>
      call.catch((error: unknown) => outcomes[i] = error)
    );
    let onVictim = 0;
    for (let i = 0; i < IN_FLIGHT; i++) {
      const pid = await settles(inbox.next(), "a call starting");
      if (Number(pid) === victim.pid) onVictim++;
    }
    await settles(gate.arrived(IN_FLIGHT), "the calls reaching the gate");
    assert.ok(onVictim >= 2, `only ${onVictim} calls run on the victim`);

    Deno.kill(victim.pid, "SIGKILL");
    // The victim's calls fail while the gate still holds the others.
    await settles(settledCount(calls, onVictim), "the victim's calls");
    const crashed = outcomes.filter((outcome) => outcome !== undefined);
    assert.equal(crashed.length, onVictim);
    for (const error of crashed) {
      assert.ok(error instanceof WorkerCrashed, `got ${error}`);
      assert.equal(error.workerId, victim.id);
      assert.equal(error.pid, victim.pid);
      assert.equal(error.signal, "SIGKILL");
      assert.equal(error.exitCode, null);
    }

    const left = await settles(
      watch.next("left", (change) => change.worker.id === victim.id),
      "the victim leaving",
    );
    assert.equal(left.type === "left" && left.reason, "crashed");
    // Made once the victim left: served by live workers only.
    const meanwhile = servingPids(tasks, 4);
    const joined = await settles(watch.next("joined"), "a replacement");
    for (const pid of await meanwhile) {
      assert.ok(
        pid === survivor.pid || pid === joined.worker.pid,
        `served by ${pid}`,
      );
    }
    assert.equal(pool.workers.length, 2);
    assert.ok(!isAlive(victim.pid));

    await gate.release();
    const served = await settles(
      Promise.all(calls.filter((_, i) => outcomes[i] === undefined)),
      "the survivor's calls",
    );
    assert.deepEqual(served, served.map(() => survivor.pid));
    assert.equal(served.length + crashed.length, IN_FLIGHT);
  });
}

/** The pid each launch recorded in `dir` (`launch-<n>` files). */
async function launchedPids(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const text = await Deno.readTextFile(join(dir, entry.name));
    if (text !== "") pids.push(Number(text));
  }
  return pids;
}

Deno.test("WorkerPool retries replacements that die at start-up with a growing backoff, keeps serving with the survivor meanwhile, and close() still resolves leaving no process", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wool-respawn-" });
  try {
    await using inbox = Inbox.open();
    const pool = await WorkerPool.start({
      spawn: 2,
      worker: {
        command: Deno.execPath(),
        args: ["run", "-A", FLAKY_LAUNCHER],
        env: {
          WOOL_LAUNCH_DIR: dir,
          WOOL_HEALTHY_LAUNCHES: "2",
          WOOL_INBOX_PORT: String(inbox.port),
        },
      },
    });
    try {
      using watch = new RosterWatch(pool);
      const tasks = pool.remote<Tasks>(TASKS);
      const [victim, survivor] = pool.workers;
      for (let i = 0; i < 2; i++) await settles(inbox.next(), "a launch");

      Deno.kill(victim.pid, "SIGKILL");
      await settles(watch.next("left"), "the victim leaving");
      // Launches 3, 4, 5, 6: each dies at start-up; the pool waits longer
      // before each next one (100 ms, then doubling). A timer never fires
      // early, so these are lower bounds, whatever the machine's speed.
      const at: number[] = [];
      for (let i = 0; i < 4; i++) {
        const line = await settles(inbox.next(), "a replacement launch");
        const [, n, , time] = line.split(" ");
        assert.equal(Number(n), 3 + i, line);
        at.push(Number(time));
        assert.deepEqual(
          await servingPids(tasks, 2),
          [survivor.pid, survivor.pid],
          "the survivor serves while replacements die",
        );
      }
      for (let i = 1; i < at.length; i++) {
        const waited = at[i] - at[i - 1];
        const backoff = 100 * 2 ** (i - 1);
        assert.ok(
          waited >= backoff,
          `launch ${
            3 + i
          } came ${waited} ms after the previous, before its ${backoff} ms backoff`,
        );
      }
      assert.deepEqual(pool.workers.map((worker) => worker.pid), [
        survivor.pid,
      ]);
    } finally {
      await settles(pool.close(), "close() while replacements keep dying");
    }
    const pids = await launchedPids(dir);
    assert.ok(pids.length >= 6, `${pids.length} launches`);
    assert.deepEqual(pids.filter(isAlive), [], "launched processes left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
