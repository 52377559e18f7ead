import assert from "node:assert/strict";
import { ABORTED, TIMED_OUT, withTimeout } from "../../../src/_util/timeout.ts";

const never = () => new Promise<never>(() => {});

Deno.test("withTimeout() settles with the promise's value when it comes first, leaving no timer", async () => {
  assert.equal(await withTimeout(Promise.resolve(7), 60_000), 7);
});

Deno.test("withTimeout() rejects as the promise does when it comes first", async () => {
  await assert.rejects(
    withTimeout(Promise.reject(new RangeError("no")), 60_000),
    RangeError,
  );
});

Deno.test("withTimeout() settles with TIMED_OUT once the time has passed", async () => {
  assert.equal(await withTimeout(never(), 1), TIMED_OUT);
});

Deno.test("withTimeout() settles with ABORTED when its signal aborts, or has already", async () => {
  const controller = new AbortController();
  const waiting = withTimeout(never(), 60_000, controller.signal);
  controller.abort();
  assert.equal(await waiting, ABORTED);
  assert.equal(
    await withTimeout(Promise.resolve(1), 60_000, controller.signal),
    ABORTED,
  );
});
