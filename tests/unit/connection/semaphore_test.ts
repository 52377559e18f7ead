import assert from "node:assert/strict";
import { type Permit, Semaphore } from "../../../src/connection/semaphore.ts";

/** Records, in order, which waiters were handed a permit. */
function track(
  label: string,
  pending: Promise<Permit>,
  events: string[],
  permits: Map<string, Permit>,
): Promise<void> {
  return pending.then(
    (permit) => {
      events.push(`${label} granted`);
      permits.set(label, permit);
    },
    (reason) => {
      events.push(`${label} rejected: ${String(reason)}`);
    },
  );
}

Deno.test("Semaphore.tryAcquire() hands out at most its capacity", () => {
  const semaphore = new Semaphore(2);
  const first = semaphore.tryAcquire();
  const second = semaphore.tryAcquire();
  assert.ok(first && second);
  assert.equal(semaphore.tryAcquire(), undefined);
  assert.equal(semaphore.available, 0);
  first.release();
  assert.equal(semaphore.available, 1);
  assert.ok(semaphore.tryAcquire());
});

Deno.test("Semaphore.acquire() serves waiters in arrival order", async () => {
  const semaphore = new Semaphore(1);
  const held = semaphore.tryAcquire()!;
  const events: string[] = [];
  const permits = new Map<string, Permit>();
  const waits = ["a", "b", "c"].map((label) =>
    track(label, semaphore.acquire(), events, permits)
  );
  assert.equal(semaphore.waiting, 3);
  held.release();
  await waits[0];
  assert.deepStrictEqual(events, ["a granted"]);
  permits.get("a")!.release();
  await waits[1];
  permits.get("b")!.release();
  await waits[2];
  assert.deepStrictEqual(events, ["a granted", "b granted", "c granted"]);
  assert.equal(semaphore.available, 0, "a permit passes straight to a waiter");
  permits.get("c")!.release();
  assert.equal(semaphore.available, 1);
});

Deno.test("Semaphore.tryAcquire() does not jump the queue of waiters", async () => {
  const semaphore = new Semaphore(1);
  const held = semaphore.tryAcquire()!;
  const waiting = semaphore.acquire();
  held.release();
  assert.equal(semaphore.tryAcquire(), undefined);
  (await waiting).release();
});

Deno.test("Semaphore.acquire() rejects with the reason when its signal aborts, and leaves the queue", async () => {
  const semaphore = new Semaphore(1);
  const held = semaphore.tryAcquire()!;
  const events: string[] = [];
  const permits = new Map<string, Permit>();
  const controller = new AbortController();
  const a = track("a", semaphore.acquire(controller.signal), events, permits);
  const b = track("b", semaphore.acquire(), events, permits);
  controller.abort("gave up");
  await a;
  assert.equal(semaphore.waiting, 1);
  held.release();
  await b;
  assert.deepStrictEqual(events, ["a rejected: gave up", "b granted"]);
  permits.get("b")!.release();
});

Deno.test("Semaphore.acquire() rejects at once for a signal that already aborted", async () => {
  const semaphore = new Semaphore(1);
  const held = semaphore.tryAcquire()!;
  await assert.rejects(
    semaphore.acquire(AbortSignal.abort("too late")),
    (reason) => reason === "too late",
  );
  assert.equal(semaphore.waiting, 0);
  held.release();
});

Deno.test("Semaphore.acquire() ignores an abort after the permit was granted", async () => {
  const semaphore = new Semaphore(1);
  const held = semaphore.tryAcquire()!;
  const controller = new AbortController();
  const pending = semaphore.acquire(controller.signal);
  held.release();
  const permit = await pending;
  controller.abort();
  assert.equal(semaphore.available, 0, "the permit is still out");
  permit.release();
  assert.equal(semaphore.available, 1);
});

Deno.test("Semaphore permits release once, however often they are released", async () => {
  const semaphore = new Semaphore(2);
  const first = semaphore.tryAcquire()!;
  const second = semaphore.tryAcquire()!;
  const events: string[] = [];
  const permits = new Map<string, Permit>();
  const a = track("a", semaphore.acquire(), events, permits);
  const b = track("b", semaphore.acquire(), events, permits);
  first.release();
  first.release();
  first[Symbol.dispose]();
  await a;
  await Promise.resolve();
  assert.deepStrictEqual(events, ["a granted"], "b still waits");
  second.release();
  await b;
  permits.get("a")!.release();
  permits.get("b")!.release();
  permits.get("b")!.release();
  assert.equal(semaphore.available, 2, "never more than the capacity");
});

Deno.test("Semaphore permits are disposable: `using` gives them back", () => {
  const semaphore = new Semaphore(1);
  {
    using _permit = semaphore.tryAcquire()!;
    assert.equal(semaphore.available, 0);
  }
  assert.equal(semaphore.available, 1);
});

Deno.test("Semaphore.idle() resolves once every permit is back and no one waits, not before", async () => {
  const semaphore = new Semaphore(2);
  await semaphore.idle();
  const first = semaphore.tryAcquire()!;
  const second = semaphore.tryAcquire()!;
  const waiting = semaphore.acquire();
  const events: string[] = [];
  const idle = semaphore.idle().then(() => events.push("idle"));
  first.release();
  (await waiting).release();
  await Promise.resolve();
  assert.deepEqual(events, []);
  second.release();
  await idle;
  assert.deepEqual(events, ["idle"]);
});

Deno.test("Semaphore.idle() resolves when its signal aborts, and leaves no listener", async () => {
  const semaphore = new Semaphore(1);
  const held = semaphore.tryAcquire()!;
  const controller = new AbortController();
  const idle = semaphore.idle(controller.signal);
  controller.abort();
  await idle;
  held.release();
  await semaphore.idle(AbortSignal.abort());
});
