import assert from "node:assert/strict";
import { backoffMs, CapacityQueue } from "../../../src/pool/capacity_queue.ts";

/** A backoff attempt whose timer (25–50 ms) no test here lets run out. */
const LATE_ATTEMPT = 10;

/** Lets settled promises run their callbacks. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** A wait whose outcome the test can read without awaiting it. */
function watch(promise: Promise<boolean>) {
  const state: { outcome?: boolean | { error: unknown } } = {};
  promise.then(
    (outcome) => state.outcome = outcome,
    (error) => state.outcome = { error },
  );
  return state;
}

function far(): number {
  return performance.now() + 60_000;
}

Deno.test("CapacityQueue.waiting() is true exactly while a call holds a place", () => {
  const queue = new CapacityQueue();
  assert.equal(queue.waiting(), false);
  const a = queue.join();
  const b = queue.join();
  assert.equal(queue.waiting(), true);
  queue.leave(a);
  queue.leave(a);
  assert.equal(queue.waiting(), true);
  queue.leave(b);
  assert.equal(queue.waiting(), false);
});

Deno.test("CapacityQueue.notifyFreed() wakes the call at the head at once, and only it", async () => {
  const queue = new CapacityQueue();
  const controller = new AbortController();
  const a = queue.join();
  const b = queue.join();
  const head = watch(queue.wait(a, LATE_ATTEMPT, far(), controller.signal));
  const next = watch(queue.wait(b, LATE_ATTEMPT, far(), controller.signal));
  await settle();
  assert.deepStrictEqual([head.outcome, next.outcome], [undefined, undefined]);
  queue.notifyFreed();
  await settle();
  assert.deepStrictEqual([head.outcome, next.outcome], [true, undefined]);
  queue.notifyFreed();
  await settle();
  assert.equal(next.outcome, undefined, "the head is still there");
  queue.leave(a);
  await settle();
  assert.equal(next.outcome, true, "the next call moved up and tries");
  queue.leave(b);
});

Deno.test("CapacityQueue.leave() by a call behind the head wakes nobody", async () => {
  const queue = new CapacityQueue();
  const controller = new AbortController();
  const [a, b, c] = [queue.join(), queue.join(), queue.join()];
  const waits = [a, b, c].map((ticket) =>
    watch(queue.wait(ticket, LATE_ATTEMPT, far(), controller.signal))
  );
  queue.leave(b);
  await settle();
  assert.deepStrictEqual(waits.map((w) => w.outcome), [
    undefined,
    undefined,
    undefined,
  ]);
  controller.abort("done");
  await settle();
  queue.leave(a);
  queue.leave(c);
});

Deno.test("CapacityQueue.wait() resolves false at the deadline", async () => {
  const queue = new CapacityQueue();
  const head = queue.join();
  const behind = queue.join();
  assert.equal(
    await queue.wait(behind, 0, performance.now(), undefined),
    false,
  );
  queue.leave(behind);
  queue.leave(head);
});

Deno.test("CapacityQueue.wait() lets the head retry once its backoff elapsed", async () => {
  const queue = new CapacityQueue();
  const ticket = queue.join();
  assert.equal(await queue.wait(ticket, 0, far(), undefined), true);
  queue.leave(ticket);
});

Deno.test("CapacityQueue.wait() rejects with the reason when its signal aborts", async () => {
  const queue = new CapacityQueue();
  const ticket = queue.join();
  const controller = new AbortController();
  const waiting = queue.wait(ticket, LATE_ATTEMPT, far(), controller.signal);
  controller.abort("caller left");
  await assert.rejects(waiting, (reason) => reason === "caller left");
  queue.notifyFreed();
  queue.leave(ticket);
});

Deno.test("CapacityQueue.wait() rejects at once for a signal that already aborted", async () => {
  const queue = new CapacityQueue();
  const ticket = queue.join();
  await assert.rejects(
    queue.wait(ticket, LATE_ATTEMPT, far(), AbortSignal.abort("too late")),
    (reason) => reason === "too late",
  );
  queue.leave(ticket);
});

Deno.test("backoffMs() doubles from 2 ms up to 50 ms, jittered down to half", () => {
  const ceilings = [2, 4, 8, 16, 32, 50, 50];
  ceilings.forEach((ceiling, attempt) => {
    for (let i = 0; i < 50; i++) {
      const ms = backoffMs(attempt);
      assert.ok(
        ms >= ceiling / 2 && ms <= ceiling,
        `attempt ${attempt}: ${ms}`,
      );
    }
  });
});

Deno.test("CapacityQueue keeps one queue per key: waiting(key), and leave() moves up only the next call of that key", async () => {
  const queue = new CapacityQueue();
  const controller = new AbortController();
  const a1 = queue.join("a");
  const a2 = queue.join("a");
  const b1 = queue.join("b");
  assert.equal(queue.waiting("a"), true);
  assert.equal(queue.waiting("b"), true);
  assert.equal(queue.waiting("c"), false);
  assert.equal(queue.waiting(), false, "no call has the default key");
  const second = watch(queue.wait(a2, LATE_ATTEMPT, far(), controller.signal));
  const headOfB = watch(queue.wait(b1, LATE_ATTEMPT, far(), controller.signal));
  await settle();
  assert.deepStrictEqual([second.outcome, headOfB.outcome], [
    undefined,
    undefined,
  ]);
  queue.leave(a1);
  await settle();
  assert.deepStrictEqual([second.outcome, headOfB.outcome], [true, undefined]);
  queue.leave(a2);
  assert.equal(queue.waiting("a"), false);
  assert.equal(queue.waiting("b"), true);
  queue.leave(b1);
  assert.equal(queue.waiting("b"), false);
});

Deno.test("CapacityQueue.notifyFreed() wakes the head of every key's queue, up to four, taking turns", async () => {
  const queue = new CapacityQueue();
  const controller = new AbortController();
  const keys = ["k1", "k2", "k3", "k4", "k5", "k6"];
  const heads = keys.map((key) => queue.join(key));
  const behind = queue.join("k1");
  const waits = () =>
    heads.map((ticket) =>
      watch(queue.wait(ticket, LATE_ATTEMPT, far(), controller.signal))
    );
  const second = watch(
    queue.wait(behind, LATE_ATTEMPT, far(), controller.signal),
  );
  let round = waits();
  await settle();
  queue.notifyFreed();
  await settle();
  assert.deepStrictEqual(
    round.map((w) => w.outcome === true),
    [true, true, true, true, false, false],
  );
  assert.equal(second.outcome, undefined, "only heads try");
  round = waits();
  await settle();
  queue.notifyFreed();
  await settle();
  assert.deepStrictEqual(
    round.map((w) => w.outcome === true),
    [false, true, true, true, true, false],
    "the next slot starts one key further",
  );
  controller.abort();
  await settle();
  for (const ticket of [...heads, behind]) queue.leave(ticket);
  assert.ok(keys.every((key) => !queue.waiting(key)));
});
