import assert from "node:assert/strict";
import { WaitList } from "../../../src/_util/wait_list.ts";

Deno.test("WaitList.wakeAll() wakes every waiter so far; a later waiter waits for the next call", async () => {
  const list = new WaitList();
  const woken: string[] = [];
  const first = list.wait().then(() => woken.push("first"));
  const second = list.wait().then(() => woken.push("second"));
  list.wakeAll();
  await Promise.all([first, second]);
  const third = list.wait().then(() => woken.push("third"));
  await Promise.resolve();
  assert.deepEqual(woken, ["first", "second"]);
  list.wakeAll();
  await third;
  assert.deepEqual(woken, ["first", "second", "third"]);
});

Deno.test("WaitList.wait() resolves as its signal aborts, at once when it has, and leaves the list", async () => {
  const list = new WaitList();
  await list.wait(AbortSignal.abort());
  const controller = new AbortController();
  const waiting = list.wait(controller.signal);
  controller.abort();
  await waiting;
  // Nothing is left to wake, and waking does not touch the given-up waiter.
  list.wakeAll();
});
