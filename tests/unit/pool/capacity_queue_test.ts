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

Deno.test("CapacityQueue.busy is true exactly while a call holds a place", () => {
  const queue = new CapacityQueue();
  assert.equal(queue.busy, false);
  const a = queue.join();
  const b = queue.join();
  assert.equal(queue.busy, true);
  queue.leave(a);
  queue.leave(a);
  assert.equal(queue.busy, true);
  queue.leave(b);
  assert.equal(queue.busy, false);
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
