import assert from "node:assert/strict";
import { DiscoveryError } from "../../../src/discovery/errors.ts";
import { WorkerUnavailable } from "../../../src/pool/membership_errors.ts";
import {
  describeWorkerEnd,
  Roster,
  type RosterChange,
  validateSubscribeOptions,
} from "../../../src/pool/roster.ts";
import { FakeConnection, fakeWorker, workerId } from "../../_helpers/fakes.ts";

function entry(id: string) {
  return fakeWorker(id, new FakeConnection(`127.0.0.1:${id.slice(1)}`), {
    pid: Number(id.slice(1)),
  });
}

function describe(change: RosterChange): string {
  return change.type === "joined"
    ? `joined ${change.worker.id}`
    : `left ${change.worker.id} ${change.reason}`;
}

Deno.test("Roster tells its listeners of every join and leave, in order", () => {
  const roster = new Roster();
  const seen: string[] = [];
  roster.subscribe((change) => seen.push(describe(change)));
  roster.add(entry("w1"));
  roster.add(entry("w2"));
  roster.remove(workerId("w1"), "crashed");
  roster.remove(workerId("w1"), "evicted");
  roster.remove(workerId("w2"), "closed");
  assert.deepStrictEqual(seen, [
    "joined w1",
    "joined w2",
    "left w1 crashed",
    "left w2 closed",
  ]);
});

Deno.test("Roster.remove() returns the entry once, then undefined", () => {
  const roster = new Roster();
  const w1 = entry("w1");
  roster.add(w1);
  assert.equal(roster.remove(workerId("w1"), "evicted"), w1);
  assert.equal(roster.remove(workerId("w1"), "evicted"), undefined);
  assert.equal(roster.get(workerId("w1")), undefined);
});

Deno.test("Roster.remove() sends the message it is given with the left event, and none otherwise", () => {
  const roster = new Roster();
  const seen: RosterChange[] = [];
  roster.subscribe((change) => seen.push(change));
  const w1 = entry("w1");
  const w2 = entry("w2");
  roster.add(w1);
  roster.add(w2);
  roster.remove(workerId("w1"), "crashed", "Worker w1 (pid 1) exited");
  roster.remove(workerId("w2"), "closed");
  assert.deepStrictEqual(seen.slice(2), [
    {
      type: "left",
      worker: w1.info,
      reason: "crashed",
      message: "Worker w1 (pid 1) exited",
    },
    { type: "left", worker: w2.info, reason: "closed" },
  ]);
});

Deno.test("describeWorkerEnd() says how a worker's process ended, and why when known", () => {
  const worker = entry("w7").info;
  assert.equal(
    describeWorkerEnd(worker, { code: 3, signal: null }),
    "Worker w7 (pid 7) exited with code 3",
  );
  assert.equal(
    describeWorkerEnd(worker, {
      code: 133,
      signal: "SIGTRAP",
      reason: "it ran out of memory",
    }),
    "Worker w7 (pid 7) was killed by SIGTRAP: it ran out of memory",
  );
});

Deno.test("Roster.subscribe() returns a function that stops the calls", () => {
  const roster = new Roster();
  const seen: string[] = [];
  const stop = roster.subscribe((change) => seen.push(describe(change)));
  roster.add(entry("w1"));
  stop();
  roster.add(entry("w2"));
  assert.deepStrictEqual(seen, ["joined w1"]);
});

Deno.test("Roster.view reads live membership and cannot change it", () => {
  const roster = new Roster();
  const view = roster.view;
  roster.add(entry("w1"));
  roster.add(entry("w2"));
  assert.deepStrictEqual(view.ids, ["w1", "w2"]);
  assert.equal(view.size, 2);
  assert.deepStrictEqual(view.get(workerId("w2")), {
    id: "w2",
    address: "127.0.0.1:2",
    pid: 2,
  });
  assert.ok(Object.isFrozen(view));
  assert.throws(() => {
    (view as { size: number }).size = 0;
  }, TypeError);
  assert.throws(() => (view.ids as unknown as string[]).push("w3"), TypeError);
  assert.equal(view.size, 2);
  assert.equal(
    (view as unknown as Record<string, unknown>).connection,
    undefined,
    "the view hands out no connection",
  );
  assert.equal("connection" in view.get(workerId("w1"))!, false);
});

Deno.test("Roster.view ids are a snapshot: a list read before a change keeps its members", () => {
  const roster = new Roster();
  roster.add(entry("w1"));
  roster.add(entry("w2"));
  const before = roster.view.ids;
  roster.remove(workerId("w1"), "crashed");
  roster.add(entry("w3"));
  assert.deepStrictEqual(before, ["w1", "w2"]);
  assert.deepStrictEqual(roster.view.ids, ["w2", "w3"]);
  assert.equal(roster.view.get(workerId("w1")), undefined);
  assert.equal(roster.view.ids, roster.view.ids, "unchanged until a change");
});

Deno.test("Roster.entries() and infos() list live workers in join order", () => {
  const roster = new Roster();
  roster.add(entry("w2"));
  roster.add(entry("w1"));
  assert.deepStrictEqual(roster.entries().map((e) => e.info.id), ["w2", "w1"]);
  const infos = roster.infos();
  assert.deepStrictEqual(infos.map((info) => info.id), ["w2", "w1"]);
  assert.ok(Object.isFrozen(infos));
});

Deno.test("Roster.report() reaches only the listeners that asked for reports, which see changes too", () => {
  const roster = new Roster();
  const changes: string[] = [];
  const everything: string[] = [];
  roster.subscribe((change) => changes.push(describe(change)));
  const stop = roster.subscribe((event) => everything.push(event.type), true);
  roster.add(entry("w1"));
  const error = new WorkerUnavailable("127.0.0.2:1", "unreachable", "down");
  roster.report({
    type: "unavailable",
    address: error.address,
    reason: error.reason,
    retryMs: 100,
    error,
  });
  roster.report({
    type: "discovery-error",
    error: new DiscoveryError("static", "broke"),
  });
  stop();
  roster.remove(workerId("w1"), "withdrawn");
  assert.deepStrictEqual(changes, ["joined w1", "left w1 withdrawn"]);
  assert.deepStrictEqual(everything, [
    "joined",
    "unavailable",
    "discovery-error",
  ]);
});

Deno.test("validateSubscribeOptions() reads reports, and refuses anything else", () => {
  assert.equal(validateSubscribeOptions(undefined), false);
  assert.equal(validateSubscribeOptions({}), false);
  assert.equal(validateSubscribeOptions({ reports: true }), true);
  for (const bad of [null, 1, { reports: "yes" }]) {
    assert.throws(() => validateSubscribeOptions(bad), {
      name: "TypeError",
      message: /options must be \{ reports\?: boolean \}/,
    });
  }
});
