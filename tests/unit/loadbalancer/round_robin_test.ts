import assert from "node:assert/strict";
import type { Task } from "../../../src/backpressure/types.ts";
import type { WorkerId } from "../../../src/loadbalancer/load_balancer.ts";
import { RoundRobinLoadBalancer } from "../../../src/loadbalancer/round_robin.ts";
import { Roster } from "../../../src/pool/roster.ts";
import {
  FakeConnection,
  fakeWorker,
  staticRosterView,
  workerInfos,
} from "../../_helpers/fakes.ts";
import { drain, runLoadBalancerConformance } from "./_conformance.ts";

runLoadBalancerConformance(
  "RoundRobinLoadBalancer",
  () => new RoundRobinLoadBalancer(),
);

const TASK: Task = Object.freeze({
  id: "t-1",
  module: "file:///tasks.ts",
  export: "add",
  args: Object.freeze([]),
});

Deno.test("RoundRobinLoadBalancer yields each live worker once per cycle, in roster order from its start", () => {
  const view = staticRosterView(workerInfos(3));
  const balancer = new RoundRobinLoadBalancer();
  assert.deepStrictEqual(drain(balancer, TASK, view), ["w1", "w2", "w3"]);
  assert.deepStrictEqual(drain(balancer, TASK, view), ["w2", "w3", "w1"]);
  assert.deepStrictEqual(drain(balancer, TASK, view), ["w3", "w1", "w2"]);
  assert.deepStrictEqual(drain(balancer, TASK, view), ["w1", "w2", "w3"]);
});

Deno.test("RoundRobinLoadBalancer starts each call one worker further on, accepted or not", () => {
  const view = staticRosterView(workerInfos(3));
  const balancer = new RoundRobinLoadBalancer();
  const firsts: WorkerId[] = [];
  for (let i = 0; i < 6; i++) {
    const candidates = balancer.candidates(TASK, view);
    const first = candidates.next();
    assert.equal(first.done, false);
    firsts.push(first.value as WorkerId);
    candidates.return();
  }
  assert.deepStrictEqual(firsts, ["w1", "w2", "w3", "w1", "w2", "w3"]);
});

Deno.test("RoundRobinLoadBalancer moves its cursor before the first id is taken", () => {
  // Two calls that start together (no await between them) start apart.
  const view = staticRosterView(workerInfos(2));
  const balancer = new RoundRobinLoadBalancer();
  const a = balancer.candidates(TASK, view);
  const b = balancer.candidates(TASK, view);
  assert.deepStrictEqual([a.next().value, b.next().value], ["w1", "w2"]);
});

Deno.test("RoundRobinLoadBalancer skips a worker that left during the cycle", () => {
  const roster = new Roster();
  for (const info of workerInfos(3)) {
    roster.add(fakeWorker(info.id, new FakeConnection(info.address)));
  }
  const balancer = new RoundRobinLoadBalancer();
  const candidates = balancer.candidates(TASK, roster.view);
  assert.equal(candidates.next().value, "w1");
  roster.remove("w2" as WorkerId, "crashed");
  assert.deepStrictEqual(
    [candidates.next().value, candidates.next().done],
    ["w3", true],
  );
});

Deno.test("RoundRobinLoadBalancer wraps its cursor when the roster shrinks", () => {
  const roster = new Roster();
  for (const info of workerInfos(3)) {
    roster.add(fakeWorker(info.id, new FakeConnection(info.address)));
  }
  const balancer = new RoundRobinLoadBalancer();
  drain(balancer, TASK, roster.view);
  drain(balancer, TASK, roster.view);
  roster.remove("w3" as WorkerId, "evicted");
  assert.deepStrictEqual(drain(balancer, TASK, roster.view), ["w1", "w2"]);
  assert.deepStrictEqual(drain(balancer, TASK, roster.view), ["w2", "w1"]);
});
