import assert from "node:assert/strict";
import type { DiscoveryEvent } from "../../../src/discovery/discovery.ts";
import { Membership } from "../../../src/discovery/_membership.ts";

function recorded(): { members: Membership; events: DiscoveryEvent[] } {
  const events: DiscoveryEvent[] = [];
  return { members: new Membership((event) => events.push(event)), events };
}

const a = { key: "a", address: "127.0.0.2:1" };
const b = { key: "b", address: "127.0.0.3:1" };

Deno.test("Membership reports a new key as added, a change as updated, a repeat as nothing", () => {
  const { members, events } = recorded();
  members.put(a);
  members.put({ ...a });
  members.put({ ...a, tags: ["gpu"] });
  members.put({ ...a, tags: ["gpu"] });
  members.put({ ...a, tags: ["gpu"], metadata: { zone: "x" } });
  assert.deepStrictEqual(events.map((event) => event.type), [
    "added",
    "updated",
    "updated",
  ]);
  assert.deepStrictEqual(events[1], {
    type: "updated",
    worker: { ...a, tags: ["gpu"] },
    previous: a,
  });
});

Deno.test("Membership reports a key that moved as removed (replaced), then added", () => {
  const { members, events } = recorded();
  members.put(a);
  members.put({ key: "a", address: "127.0.0.9:1" });
  assert.deepStrictEqual(events.slice(1), [
    { type: "removed", worker: a, reason: "replaced" },
    { type: "added", worker: { key: "a", address: "127.0.0.9:1" } },
  ]);
});

Deno.test("Membership.replaceAll removes first, then adds, and ignores unknown removals", () => {
  const { members, events } = recorded();
  members.replaceAll([a]);
  members.replaceAll([b]);
  members.remove("nobody", "left");
  assert.deepStrictEqual(events, [
    { type: "added", worker: a },
    { type: "removed", worker: a, reason: "withdrawn" },
    { type: "added", worker: b },
  ]);
  assert.equal(members.size, 1);
  assert.deepStrictEqual([...members.workers()], [b]);
});
