import assert from "node:assert/strict";
import { Docket, type DocketEntry } from "../../../src/worker/docket.ts";

/**
 * Whether `promise` settles before a microtask queued after it: a promise
 * that was already resolved does; one still waiting does not.
 */
async function settledAtOnce(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => settled = true);
  await Promise.resolve();
  return settled;
}

/** A docket entry that records the reasons it was cancelled with. */
function entry(): DocketEntry & { cancelled: unknown[] } {
  const cancelled: unknown[] = [];
  return {
    cancelled,
    cancel: (reason) => cancelled.push(reason),
    docketSlot: -1,
  };
}

Deno.test("Docket.size counts each added entry once until it is removed", () => {
  const docket = new Docket();
  const a = entry();
  const b = entry();
  assert.equal(docket.size, 0);
  docket.add(a);
  docket.add(b);
  docket.add(a);
  assert.equal(docket.size, 2);
  docket.remove(a);
  assert.equal(docket.size, 1);
  docket.remove(b);
  assert.equal(docket.size, 0);
});

Deno.test("Docket.remove() ignores an entry that is not in the docket", () => {
  const docket = new Docket();
  const a = entry();
  docket.add(a);
  docket.remove(entry());
  docket.remove(a);
  docket.remove(a);
  assert.equal(docket.size, 0);
});

Deno.test("Docket.cancelAll() cancels every entry, which stays until it ends", () => {
  const docket = new Docket();
  const a = entry();
  const b = entry();
  docket.add(a);
  docket.add(b);
  const reason = new DOMException("stopping", "AbortError");
  docket.cancelAll(reason);
  assert.deepEqual(a.cancelled, [reason]);
  assert.deepEqual(b.cancelled, [reason]);
  assert.equal(docket.size, 2);
});

Deno.test("Docket.cancelAll() tolerates entries that leave while cancelled", () => {
  const docket = new Docket();
  const leaving: DocketEntry = {
    cancel: () => docket.remove(leaving),
    docketSlot: -1,
  };
  const staying = entry();
  docket.add(leaving);
  docket.add(staying);
  docket.cancelAll("stop");
  assert.equal(docket.size, 1);
  assert.deepEqual(staying.cancelled, ["stop"]);
});

Deno.test("Docket.drained() resolves at once when the docket is empty", async () => {
  assert.equal(await settledAtOnce(new Docket().drained()), true);
  const docket = new Docket();
  const a = entry();
  docket.add(a);
  const drained = docket.drained();
  assert.equal(await settledAtOnce(drained), false, "resolved with a task in");
  docket.remove(a);
  await drained;
});

Deno.test("Docket.drained() resolves when the last entry leaves, not before", async () => {
  const docket = new Docket();
  const a = entry();
  const b = entry();
  docket.add(a);
  docket.add(b);
  const events: string[] = [];
  const drained = docket.drained().then(() => events.push("drained"));
  docket.remove(a);
  await Promise.resolve();
  events.push("one left");
  docket.remove(b);
  await drained;
  assert.deepEqual(events, ["one left", "drained"]);
});

Deno.test("Docket.drained() resolves when its signal aborts, with tasks still in", async () => {
  const docket = new Docket();
  docket.add(entry());
  const controller = new AbortController();
  const drained = docket.drained(controller.signal);
  controller.abort();
  await drained;
  assert.equal(docket.size, 1);
  assert.equal(await settledAtOnce(docket.drained(controller.signal)), true);
});

Deno.test("Docket.idleSeconds() is 0 while a task is in, and counts from when it emptied", () => {
  const docket = new Docket();
  const a = entry();
  const before = docket.idleSeconds();
  assert.ok(before >= 0);
  docket.add(a);
  assert.equal(docket.idleSeconds(), 0);
  docket.remove(a);
  const first = docket.idleSeconds();
  const second = docket.idleSeconds();
  assert.ok(first >= 0);
  assert.ok(second >= first);
});
