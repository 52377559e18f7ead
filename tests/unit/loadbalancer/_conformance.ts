/**
 * The contract every `LoadBalancer` keeps, as one suite run against each
 * implementation (hono's `common.case.test.ts` pattern):
 * `runLoadBalancerConformance("RoundRobinLoadBalancer", () => new RoundRobinLoadBalancer())`.
 *
 * A balancer only orders candidates. Whatever its policy, it must:
 * - answer synchronously, with an iterator of live worker ids;
 * - offer every live worker exactly once when every attempt fails, then end;
 * - never offer a worker again once it was evicted or left;
 * - stop at `return()` (the dispatcher's "accepted");
 * - keep concurrent calls independent;
 * - see workers that joined since its last call;
 * - drive the real dispatcher to an acceptance or to `NoWorkersAvailable`
 *   with one cause per worker.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Task } from "../../../src/backpressure/types.ts";
import type {
  AttemptOutcome,
  LoadBalancer,
  RosterView,
  WorkerId,
} from "../../../src/loadbalancer/load_balancer.ts";
import { NoWorkersAvailable } from "../../../src/loadbalancer/errors.ts";
import { Dispatcher } from "../../../src/pool/dispatcher.ts";
import { Roster } from "../../../src/pool/roster.ts";
import { StatsBook } from "../../../src/pool/stats.ts";
import {
  answer,
  FakeConnection,
  fakeWorker,
  staticRosterView,
  workerInfos,
} from "../../_helpers/fakes.ts";
import { makeTaskFrame } from "../../_helpers/task_frame.ts";

/** Tasks with and without a tag, as balancers see them. */
const TASKS: readonly Task[] = [
  task("t-1"),
  task("t-2", "alice"),
  task("t-3", "bob"),
  task("t-4", "alice"),
  task("t-5"),
];

function task(id: string, tag?: string): Task {
  return Object.freeze({
    id,
    module: "file:///tasks.ts",
    export: "add",
    args: Object.freeze([]),
    ...(tag === undefined ? {} : { tag }),
  });
}

/** A failed attempt, as the dispatcher reports it. */
function declined(workerId: WorkerId, evicted = false): AttemptOutcome {
  return {
    workerId,
    code: evicted ? "INTERNAL" : "RESOURCE_EXHAUSTED",
    evicted,
  };
}

/**
 * Runs one call to the end with every attempt failing, and returns the ids
 * offered. Stops (and fails) past `limit` ids, so a balancer that never
 * ends fails instead of hanging.
 */
export function drain(
  balancer: LoadBalancer,
  task: Task,
  view: RosterView,
  limit = 64,
): WorkerId[] {
  const offered: WorkerId[] = [];
  const candidates = balancer.candidates(task, view);
  let step = candidates.next();
  while (!step.done) {
    offered.push(step.value);
    assert.ok(offered.length <= limit, `more than ${limit} candidates`);
    step = candidates.next(declined(step.value));
  }
  return offered;
}

/** A roster of `count` workers on fake connections answering `reply`. */
function rosterOf(count: number, reply = answer.ack()): {
  roster: Roster;
  connections: FakeConnection[];
} {
  const roster = new Roster();
  const connections = workerInfos(count).map((info) => {
    const connection = new FakeConnection(info.address, { otherwise: reply });
    roster.add(fakeWorker(info.id, connection, { pid: info.pid }));
    return connection;
  });
  return { roster, connections };
}

function sorted(ids: readonly WorkerId[]): WorkerId[] {
  return [...ids].sort();
}

/**
 * Registers the load balancer conformance tests for one implementation.
 *
 * @param name The implementation's name, leading each test's name.
 * @param make Builds a fresh balancer for each test.
 */
export function runLoadBalancerConformance(
  name: string,
  make: () => LoadBalancer,
): void {
  Deno.test(`${name} offers nothing when the roster is empty`, () => {
    const balancer = make();
    for (const task of TASKS) {
      assert.deepStrictEqual(drain(balancer, task, staticRosterView([])), []);
    }
  });

  Deno.test(`${name} answers synchronously, with ids and not promises`, () => {
    const view = staticRosterView(workerInfos(2));
    const candidates = make().candidates(TASKS[0], view);
    const step = candidates.next();
    assert.equal(typeof (step as { then?: unknown }).then, "undefined");
    assert.equal(step.done, false);
    assert.equal(typeof step.value, "string");
    candidates.return?.();
  });

  Deno.test(`${name} offers every live worker exactly once when every attempt fails`, () => {
    const balancer = make();
    for (const size of [1, 2, 3, 5]) {
      const infos = workerInfos(size);
      const view = staticRosterView(infos);
      for (const task of [...TASKS, ...TASKS]) {
        assert.deepStrictEqual(
          sorted(drain(balancer, task, view)),
          sorted(infos.map((info) => info.id)),
          `${size} workers, task ${task.id}`,
        );
      }
    }
  });

  Deno.test(`${name} stops offering at return(), as after an acceptance`, () => {
    const balancer = make();
    const view = staticRosterView(workerInfos(3));
    for (const task of TASKS) {
      const candidates = balancer.candidates(task, view);
      const first = candidates.next();
      assert.equal(first.done, false);
      candidates.return?.();
      assert.equal(candidates.next().done, true);
    }
  });

  Deno.test(`${name} never offers a worker again once it was evicted`, () => {
    const balancer = make();
    for (const task of TASKS) {
      const { roster } = rosterOf(4);
      const candidates = balancer.candidates(task, roster.view);
      const offered: WorkerId[] = [];
      const evicted = new Set<WorkerId>();
      let step = candidates.next();
      while (!step.done) {
        const id = step.value;
        assert.ok(!evicted.has(id), `${id} was offered after its eviction`);
        offered.push(id);
        const evict = offered.length % 2 === 1;
        if (evict) {
          roster.remove(id, "evicted");
          evicted.add(id);
        }
        step = candidates.next(declined(id, evict));
      }
      assert.deepStrictEqual(
        sorted(offered),
        sorted(workerInfos(4).map((i) => i.id)),
      );
    }
  });

  Deno.test(`${name} offers only workers still in the roster`, () => {
    const balancer = make();
    const { roster } = rosterOf(4);
    const gone = workerInfos(4)[1].id;
    drain(balancer, TASKS[1], roster.view);
    roster.remove(gone, "crashed");
    for (const task of [...TASKS, ...TASKS]) {
      const offered = drain(balancer, task, roster.view);
      assert.ok(!offered.includes(gone), `task ${task.id} was offered ${gone}`);
      assert.deepStrictEqual(sorted(offered), sorted(roster.view.ids));
    }
  });

  Deno.test(`${name} offers workers that joined since its last call`, () => {
    const balancer = make();
    const roster = new Roster();
    const infos = workerInfos(3);
    for (const info of infos) {
      const connection = new FakeConnection(info.address);
      roster.add(fakeWorker(info.id, connection, { pid: info.pid }));
      for (const task of TASKS) {
        assert.deepStrictEqual(
          sorted(drain(balancer, task, roster.view)),
          sorted(roster.view.ids),
        );
      }
    }
  });

  Deno.test(`${name} keeps concurrent calls independent`, () => {
    const balancer = make();
    const infos = workerInfos(3);
    const view = staticRosterView(infos);
    const first = balancer.candidates(TASKS[1], view);
    const second = balancer.candidates(TASKS[2], view);
    const seen: [WorkerId[], WorkerId[]] = [[], []];
    let a = first.next();
    let b = second.next();
    while (!a.done || !b.done) {
      if (!a.done) {
        seen[0].push(a.value);
        a = first.next(declined(a.value));
      }
      if (!b.done) {
        seen[1].push(b.value);
        b = second.next(declined(b.value));
      }
    }
    const all = sorted(infos.map((info) => info.id));
    assert.deepStrictEqual(sorted(seen[0]), all);
    assert.deepStrictEqual(sorted(seen[1]), all);
  });

  Deno.test(`${name} lets the dispatcher fail a call with one cause per worker`, async () => {
    const { roster, connections } = rosterOf(3, answer.rejected("busy"));
    const dispatcher = new Dispatcher({
      roster,
      loadBalancer: make(),
      stats: new StatsBook(),
      admissionWaitMs: 0,
      evict: () => assert.fail("a rejection never evicts"),
    });
    for (const task of TASKS) {
      const error = await dispatcher.dispatch(frameOf(task), task, undefined)
        .then(() => undefined, (error: unknown) => error);
      assert.ok(error instanceof NoWorkersAvailable);
      assert.deepStrictEqual(
        error.causes.map((cause) => cause.address).sort(),
        connections.map((connection) => connection.address).sort(),
      );
    }
  });

  Deno.test(`${name} lets the dispatcher place a call on a worker that accepts`, async () => {
    const { roster } = rosterOf(3);
    const dispatcher = new Dispatcher({
      roster,
      loadBalancer: make(),
      stats: new StatsBook(),
      admissionWaitMs: 0,
      evict: () => assert.fail("an acceptance never evicts"),
    });
    for (const task of TASKS) {
      const accepted = await dispatcher.dispatch(
        frameOf(task),
        task,
        undefined,
      );
      assert.ok(roster.view.get(accepted.worker.info.id));
      accepted.release();
    }
  });
}

function frameOf(task: Task) {
  return makeTaskFrame({
    id: task.id,
    module: task.module,
    export: task.export,
    tag: task.tag ?? "",
  });
}
