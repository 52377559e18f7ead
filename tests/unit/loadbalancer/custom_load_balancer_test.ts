import assert from "node:assert/strict";
import type { Task } from "../../../src/backpressure/types.ts";
import type {
  RosterView,
  WorkerId,
} from "../../../src/loadbalancer/load_balancer.ts";
import { Roster } from "../../../src/pool/roster.ts";
import { TagAffinityLoadBalancer } from "../../../examples/custom_load_balancer.ts";
import {
  FakeConnection,
  fakeWorker,
  staticRosterView,
  workerInfos,
} from "../../_helpers/fakes.ts";
import { runLoadBalancerConformance } from "./_conformance.ts";

runLoadBalancerConformance(
  "TagAffinityLoadBalancer (examples/custom_load_balancer.ts)",
  () => new TagAffinityLoadBalancer(),
);

function task(tag?: string): Task {
  return Object.freeze({
    id: "t",
    module: "file:///tasks.ts",
    export: "add",
    args: Object.freeze([]),
    ...(tag === undefined ? {} : { tag }),
  });
}

/**
 * Runs one call: `declines` workers fail (evicted when listed in `evict`),
 * the next one accepts. Returns the ids offered, the acceptor last.
 */
function call(
  balancer: TagAffinityLoadBalancer,
  view: RosterView,
  tag: string | undefined,
  declines = 0,
  evict: (id: WorkerId) => boolean = () => false,
): WorkerId[] {
  const offered: WorkerId[] = [];
  const candidates = balancer.candidates(task(tag), view);
  let step = candidates.next();
  while (!step.done) {
    offered.push(step.value);
    if (offered.length > declines) {
      candidates.return();
      break;
    }
    step = candidates.next({
      workerId: step.value,
      code: "RESOURCE_EXHAUSTED",
      evicted: evict(step.value),
    });
  }
  return offered;
}

Deno.test("TagAffinityLoadBalancer sends a tag back to the worker that accepted it", () => {
  const balancer = new TagAffinityLoadBalancer();
  const view = staticRosterView(workerInfos(3));
  assert.deepStrictEqual(call(balancer, view, "alice"), ["w1"]);
  assert.deepStrictEqual(call(balancer, view, "bob"), ["w2"]);
  assert.deepStrictEqual(call(balancer, view, "alice"), ["w1"]);
  assert.deepStrictEqual(call(balancer, view, "bob"), ["w2"]);
  assert.deepStrictEqual(
    [...balancer.homes()],
    [["alice", "w1"], ["bob", "w2"]],
  );
});

Deno.test("TagAffinityLoadBalancer rotates untagged calls, unskewed by sticky ones", () => {
  const balancer = new TagAffinityLoadBalancer();
  const view = staticRosterView(workerInfos(3));
  call(balancer, view, "alice");
  const firsts = [undefined, "alice", undefined, "alice", undefined]
    .map((tag) => call(balancer, view, tag)[0]);
  assert.deepStrictEqual(firsts, ["w2", "w1", "w3", "w1", "w1"]);
  assert.equal(balancer.homes().size, 1, "untagged calls leave no home");
});

Deno.test("TagAffinityLoadBalancer moves a tag's home to the worker that accepts when it declines", () => {
  const balancer = new TagAffinityLoadBalancer();
  const view = staticRosterView(workerInfos(3));
  call(balancer, view, "alice");
  assert.deepStrictEqual(call(balancer, view, "alice", 1), ["w1", "w2"]);
  assert.equal(balancer.homes().get("alice"), "w2");
  assert.deepStrictEqual(call(balancer, view, "alice"), ["w2"]);
});

Deno.test("TagAffinityLoadBalancer forgets a home that was evicted or left", () => {
  const roster = new Roster();
  for (const info of workerInfos(3)) {
    roster.add(fakeWorker(info.id, new FakeConnection(info.address)));
  }
  const balancer = new TagAffinityLoadBalancer();
  call(balancer, roster.view, "alice");
  call(balancer, roster.view, "bob");
  const offered = call(balancer, roster.view, "alice", 1, (id) => {
    roster.remove(id, "evicted");
    return true;
  });
  assert.deepStrictEqual(offered, ["w1", "w2"]);
  assert.equal(balancer.homes().get("alice"), "w2");
  roster.remove("w2" as WorkerId, "crashed");
  assert.deepStrictEqual(call(balancer, roster.view, "bob"), ["w3"]);
  assert.deepStrictEqual(call(balancer, roster.view, "alice"), ["w3"]);
  assert.deepStrictEqual(Object.fromEntries(balancer.homes()), {
    alice: "w3",
    bob: "w3",
  });
});

Deno.test("TagAffinityLoadBalancer keeps no home when every worker declines", () => {
  const balancer = new TagAffinityLoadBalancer();
  const view = staticRosterView(workerInfos(2));
  assert.deepStrictEqual(call(balancer, view, "alice", 5), ["w1", "w2"]);
  assert.equal(balancer.homes().has("alice"), false);
});
