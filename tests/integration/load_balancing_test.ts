/**
 * Round robin over the live workers; a worker that dies with tasks in
 * flight fails those calls with `WorkerCrashed`, leaves the pool, and is
 * replaced (`respawn: true`) or not (`respawn: false`).
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  LeastInFlightLoadBalancer,
  NoWorkersAvailable,
  RoundRobinLoadBalancer,
  WorkerCrashed,
  type WorkerInfo,
  WorkerPool,
} from "../../mod.ts";
import { settles } from "../_helpers/deadline.ts";
import { Gate } from "../_helpers/gate.ts";
import { isAlive } from "../_helpers/processes.ts";
import { RosterWatch } from "../_helpers/roster_watch.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");

/** How each call settled: its value, or its error. */
function outcomes<T>(
  calls: readonly PromiseLike<T>[],
): Promise<({ value: T } | { error: unknown })[]> {
  return Promise.all(
    calls.map((call) =>
      Promise.resolve(call).then((value) => ({ value }), (error) => ({ error }))
    ),
  );
}

/** Asserts `error` is the WorkerCrashed of `worker`, killed by SIGKILL. */
function crashedBy(error: unknown, worker: WorkerInfo): void {
  assert.ok(error instanceof WorkerCrashed, `got ${error}`);
  assert.equal(error.workerId, worker.id);
  assert.equal(error.pid, worker.pid);
  assert.equal(error.signal, "SIGKILL");
  assert.equal(error.exitCode, null);
}

for (const transport of TRANSPORTS) {
  Deno.test(`RoundRobinLoadBalancer spreads sequential calls evenly over every worker (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({ spawn: 3, transport });
    const tasks = pool.remote<Tasks>(TASKS);
    const counts = new Map<number, number>();
    for (let i = 0; i < 9; i++) {
      const pid = await tasks.pid();
      counts.set(pid, (counts.get(pid) ?? 0) + 1);
    }
    assert.deepEqual(
      [...counts.keys()].sort(),
      pool.workers.map((worker) => worker.pid).sort(),
    );
    assert.deepEqual([...counts.values()], [3, 3, 3]);
  });

  Deno.test(`LeastInFlightLoadBalancer sends new calls past a worker busy with a long task; round robin keeps giving it its turn (transport "${transport}")`, async () => {
    for (const balancer of ["least", "round robin"] as const) {
      await using gate = Gate.open();
      await using pool = await WorkerPool.start({
        spawn: 2,
        transport,
        loadBalancer: balancer === "least"
          ? new LeastInFlightLoadBalancer()
          : new RoundRobinLoadBalancer(),
      });
      const tasks = pool.remote<Tasks>(TASKS);
      const long = tasks.waitAtGate(gate.port, "long");
      await gate.arrived(1);
      const pids = [];
      for (let i = 0; i < 6; i++) pids.push(await tasks.pid());
      const [first, second] = pool.workers.map((worker) => worker.pid);
      if (balancer === "least") {
        // The long task went to the first worker (all idle, rotation).
        assert.deepEqual(pids, Array(6).fill(second));
      } else {
        assert.deepEqual(pids.filter((pid) => pid === first).length, 3);
      }
      await gate.release();
      assert.equal(await long, "long");
    }
  });

  Deno.test(`WorkerPool rejects the calls in flight on a worker that dies with WorkerCrashed, drops it from pool.workers, and sends later calls to the survivors; without respawn the pool shrinks (transport "${transport}")`, async () => {
    await using gate = Gate.open();
    await using pool = await WorkerPool.start({
      spawn: 2,
      respawn: false,
      transport,
    });
    using roster = new RosterWatch(pool);
    const tasks = pool.remote<Tasks>(TASKS);
    const [victim, survivor] = pool.workers;
    // Round robin: two calls in flight on each worker.
    const calls = [1, 2, 3, 4].map((i) => tasks.waitAtGate(gate.port, i));
    await gate.arrived(4);

    Deno.kill(victim.pid, "SIGKILL");
    const left = await settles(roster.next("left"), "the left event");
    assert.deepEqual(left, {
      type: "left",
      worker: victim,
      reason: "crashed",
      message: `Worker ${victim.id} (pid ${victim.pid}) was killed by SIGKILL`,
    });
    assert.deepEqual(pool.workers, [survivor]);

    await gate.release();
    const settled = await settles(outcomes(calls), "the calls");
    const failed = settled.filter((outcome) => "error" in outcome);
    const finished = settled.filter((outcome) => "value" in outcome);
    assert.equal(failed.length, 2, "the victim's two calls fail");
    for (const outcome of failed) {
      crashedBy((outcome as { error: unknown }).error, victim);
    }
    assert.equal(finished.length, 2, "the survivor's two calls finish");

    for (let i = 0; i < 3; i++) assert.equal(await tasks.pid(), survivor.pid);
    assert.deepEqual(pool.workers, [survivor], "no replacement joined");

    Deno.kill(survivor.pid, "SIGKILL");
    await settles(roster.next("left"), "the second left event");
    assert.deepEqual(pool.workers, []);
    await assert.rejects(tasks.add(1, 2), NoWorkersAvailable);
  });

  Deno.test(`WorkerPool rejects a call whose task crashed its worker with WorkerCrashed, and never runs that task on another worker (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({
      spawn: 2,
      respawn: false,
      transport,
    });
    using roster = new RosterWatch(pool);
    const tasks = pool.remote<Tasks>(TASKS);
    const [victim, survivor] = pool.workers;
    // The first task on a fresh connection: the worker dies before the
    // caller reads its Ack, so the caller cannot know whether it ran.
    const error = await settles(
      tasks.crash(3).then(() => null, (e: unknown) => e),
      "the call",
    );
    assert.ok(error instanceof WorkerCrashed, `got ${error}`);
    assert.equal(error.workerId, victim.id);
    assert.equal(error.pid, victim.pid);
    assert.equal(error.exitCode, 3);
    assert.equal(error.signal, null);
    const left = await settles(roster.next("left"), "the left event");
    assert.deepEqual(left.worker, victim);
    // Run again, the task would have crashed the survivor too.
    assert.equal(await tasks.pid(), survivor.pid);
    assert.deepEqual(pool.workers, [survivor]);
  });

  Deno.test(`WorkerPool replaces a worker that dies when respawn is true: the replacement joins pool.workers and serves (transport "${transport}")`, async () => {
    await using gate = Gate.open();
    await using pool = await WorkerPool.start({ spawn: 2, transport });
    using roster = new RosterWatch(pool);
    const tasks = pool.remote<Tasks>(TASKS);
    const [victim, survivor] = pool.workers;
    const inFlight = tasks.waitAtGate(gate.port, "never");
    await gate.arrived(1);

    Deno.kill(victim.pid, "SIGKILL");
    const error = await settles(
      inFlight.then(() => null, (e: unknown) => e),
      "the call",
    );
    crashedBy(error, victim);
    const left = await settles(roster.next("left"), "the left event");
    assert.deepEqual(left.worker, victim);
    const joined = await settles(roster.next("joined"), "the joined event");
    const replacement = joined.worker;
    assert.notEqual(replacement.id, victim.id);
    assert.notEqual(replacement.pid, victim.pid);
    assert.ok(isAlive(replacement.pid));
    assert.deepEqual(
      pool.workers.map((worker) => worker.id).sort(),
      [survivor.id, replacement.id].sort(),
    );

    const pids = new Set([await tasks.pid(), await tasks.pid()]);
    assert.deepEqual(
      [...pids].sort(),
      [survivor.pid, replacement.pid].sort(),
    );
  });
}
