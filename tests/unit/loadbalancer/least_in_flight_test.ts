import assert from "node:assert/strict";
import type { Task } from "../../../src/backpressure/types.ts";
import type { WorkerId } from "../../../src/loadbalancer/load_balancer.ts";
import { LeastInFlightLoadBalancer } from "../../../src/loadbalancer/least_in_flight.ts";
import { Roster } from "../../../src/pool/roster.ts";
import {
  FakeConnection,
  fakeWorker,
  staticRosterView,
  workerInfos,
} from "../../_helpers/fakes.ts";
import { drain, runLoadBalancerConformance } from "./_conformance.ts";

runLoadBalancerConformance(
  "LeastInFlightLoadBalancer",
  () => new LeastInFlightLoadBalancer(),
);

const TASK: Task = Object.freeze({
  id: "t-1",
  module: "file:///tasks.ts",
  export: "add",
  args: Object.freeze([]),
});

Deno.test("LeastInFlightLoadBalancer offers the worker with the fewest tasks in flight first, then the others in turn", () => {
  const balancer = new LeastInFlightLoadBalancer();
  const view = staticRosterView(workerInfos(4), { w1: 5, w2: 3, w3: 0, w4: 7 });
  assert.deepStrictEqual(drain(balancer, TASK, view), ["w3", "w4", "w1", "w2"]);
  assert.deepStrictEqual(drain(balancer, TASK, view), ["w3", "w4", "w1", "w2"]);
});

Deno.test("LeastInFlightLoadBalancer shares ties in rotation", () => {
  const balancer = new LeastInFlightLoadBalancer();
  const view = staticRosterView(workerInfos(3), { w2: 1 });
  const firsts = Array.from(
    { length: 6 },
    () => drain(balancer, TASK, view)[0],
  );
  assert.deepStrictEqual(firsts, ["w1", "w3", "w1", "w3", "w1", "w3"]);
});

Deno.test("LeastInFlightLoadBalancer reads the pool's permits: a worker with tasks in flight or calls waiting is passed over", () => {
  const roster = new Roster();
  const busy = new FakeConnection("127.0.0.1:5001", { capacity: 2 });
  const idle = new FakeConnection("127.0.0.1:5002");
  roster.add(fakeWorker("w1", busy));
  roster.add(fakeWorker("w2", idle));
  const balancer = new LeastInFlightLoadBalancer();
  const first = busy.permits.tryAcquire();
  assert.ok(first);
  assert.equal(roster.view.inFlight("w1" as WorkerId), 1);
  assert.equal(roster.view.inFlight("w2" as WorkerId), 0);
  assert.equal(roster.view.inFlight("gone" as WorkerId), 0);
  assert.deepStrictEqual(drain(balancer, TASK, roster.view), ["w2", "w1"]);
  assert.deepStrictEqual(drain(balancer, TASK, roster.view), ["w2", "w1"]);
  first.release();
  assert.equal(roster.view.inFlight("w1" as WorkerId), 0);
});
