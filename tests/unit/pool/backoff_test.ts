import assert from "node:assert/strict";
import { Backoff, pause } from "../../../src/pool/backoff.ts";

Deno.test("Backoff doubles its delay with each failure in a row, up to maxMs", () => {
  const backoff = new Backoff({ firstMs: 100, maxMs: 1000 });
  const delays = [backoff.delayMs];
  for (let i = 0; i < 6; i++) {
    backoff.failed();
    delays.push(backoff.delayMs);
  }
  assert.deepStrictEqual(delays, [0, 100, 200, 400, 800, 1000, 1000]);
  assert.equal(backoff.failures, 6);
});

Deno.test("Backoff starts over at firstMs after a success", () => {
  const backoff = new Backoff({ firstMs: 50, maxMs: 1000 });
  backoff.failed();
  backoff.failed();
  backoff.succeeded();
  assert.equal(backoff.delayMs, 0);
  backoff.failed();
  assert.equal(backoff.delayMs, 50);
});

Deno.test("Backoff with jitter spreads each delay over ±20 %", () => {
  const backoff = new Backoff({ firstMs: 1000, maxMs: 1000, jitter: true });
  backoff.failed();
  const delays = Array.from({ length: 200 }, () => backoff.delayMs);
  assert.ok(delays.every((delay) => delay >= 800 && delay <= 1200));
  assert.ok(new Set(delays).size > 1, "the delays vary");
});

Deno.test("pause() resolves true after the time, false once its signal aborts", async () => {
  const controller = new AbortController();
  assert.equal(await pause(1, controller.signal), true);
  assert.equal(await pause(0, controller.signal), true);
  const waiting = pause(60_000, controller.signal);
  controller.abort();
  assert.equal(await waiting, false);
  assert.equal(await pause(1, controller.signal), false);
});
