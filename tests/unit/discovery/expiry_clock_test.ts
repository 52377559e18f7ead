import assert from "node:assert/strict";
import { ExpiryClock } from "../../../src/discovery/_expiry_clock.ts";

/** Resolves with each expired key, in order, as the clock reports them. */
function expiries(): { clock: ExpiryClock; next: () => Promise<string> } {
  const queue: string[] = [];
  const waiting: ((key: string) => void)[] = [];
  const clock = new ExpiryClock((key) => {
    const waiter = waiting.shift();
    if (waiter) waiter(key);
    else queue.push(key);
  });
  const next = () => {
    const key = queue.shift();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise<string>((resolve) => waiting.push(resolve));
  };
  return { clock, next };
}

Deno.test("ExpiryClock expires keys in deadline order, not renewal order", async () => {
  const { clock, next } = expiries();
  using _ = clock;
  clock.renew("slow", 60);
  clock.renew("fast", 5);
  assert.equal(await next(), "fast");
  assert.equal(await next(), "slow");
});

Deno.test("ExpiryClock never expires a forgotten key, and a renewal pushes the deadline", async () => {
  const { clock, next } = expiries();
  using _ = clock;
  clock.renew("gone", 5);
  clock.forget("gone");
  clock.renew("renewed", 5);
  clock.renew("renewed", 40);
  clock.renew("marker", 20);
  assert.equal(await next(), "marker");
  assert.equal(await next(), "renewed");
});

Deno.test("ExpiryClock reports keys found due together in deadline order", async () => {
  const { clock, next } = expiries();
  using _ = clock;
  clock.renew("second", 30);
  clock.renew("first", 10);
  // Block the event loop past both deadlines, as a loaded machine may.
  const start = performance.now();
  while (performance.now() - start < 60) { /* busy */ }
  assert.equal(await next(), "first");
  assert.equal(await next(), "second");
});

Deno.test("ExpiryClock expires nothing while suspended, and gives every key a full ttl on resume", async () => {
  const { clock, next } = expiries();
  using _ = clock;
  const expired: string[] = [];
  clock.renew("held", 5);
  clock.suspend();
  clock.renew("also-held", 1);
  // Another clock marks a time well past both deadlines.
  const marker = expiries();
  using __ = marker.clock;
  marker.clock.renew("marker", 50);
  const nothing = next().then((key) => expired.push(key));
  await marker.next();
  assert.deepStrictEqual(expired, [], "expired while suspended");
  clock.resume();
  await nothing;
  const second = await next();
  assert.deepStrictEqual([expired[0], second].sort(), ["also-held", "held"]);
});

Deno.test("ExpiryClock leaves no timer behind once disposed", () => {
  const clock = new ExpiryClock(() => assert.fail("expired after dispose"));
  clock.renew("a", 10_000);
  clock[Symbol.dispose]();
});
