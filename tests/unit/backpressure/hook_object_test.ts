import assert from "node:assert/strict";
import {
  type BackpressureHookObject,
  normalizeHook,
  type SettledTask,
} from "../../../src/backpressure/hook_object.ts";
import { createBackpressureContext } from "../../../src/backpressure/context.ts";
import type { BackpressureContext } from "../../../src/backpressure/types.ts";

const CTX = createBackpressureContext(3, {
  id: "t-1",
  module: "file:///srv/tasks.ts",
  export: "add",
  args: [],
});

const DONE: SettledTask = Object.freeze({
  task: CTX.task,
  queuedMs: 0.2,
  runMs: 7,
  outcome: "ok",
  generator: false,
});

Deno.test("normalizeHook() keeps a function hook as admit, with no settled", () => {
  const seen: BackpressureContext[] = [];
  const hook = normalizeHook((ctx: BackpressureContext) => {
    seen.push(ctx);
    return ctx.activeTaskCount >= 3;
  });
  assert.equal(hook.admit(CTX), true);
  assert.deepEqual(seen, [CTX]);
  assert.equal(hook.settled, null);
  assert.ok(Object.isFrozen(hook));
});

Deno.test("normalizeHook() calls an object hook's admit and settled with the object as this", () => {
  class Counting implements BackpressureHookObject {
    admitted = 0;
    ended: SettledTask[] = [];
    admit(): boolean {
      this.admitted++;
      return false;
    }
    settled(task: SettledTask): void {
      this.ended.push(task);
    }
  }
  const object = new Counting();
  const hook = normalizeHook(object);
  assert.equal(hook.admit(CTX), false);
  hook.settled!(DONE);
  assert.equal(object.admitted, 1);
  assert.deepEqual(object.ended, [DONE]);
});

Deno.test("normalizeHook() gives an object hook without settled a null settled", async () => {
  const hook = normalizeHook({ admit: () => Promise.resolve(true) });
  assert.equal(await hook.admit(CTX), true);
  assert.equal(hook.settled, null);
});

Deno.test("normalizeHook() rejects what is neither a function nor an object with admit()", () => {
  for (
    const [loaded, message] of [
      [
        42,
        /must be a function or an object with an admit\(ctx\) method, received 42/,
      ],
      [null, /received null/],
      [undefined, /received undefined/],
      [{}, /must have an admit\(ctx\) method, but its "admit" is undefined/],
      [{ admit: "yes" }, /its "admit" is "yes"/],
      [
        { admit: () => false, settled: 1 },
        /"settled" must be a function when present, received 1/,
      ],
    ] as const
  ) {
    assert.throws(() => normalizeHook(loaded), (error: unknown) => {
      assert.ok(error instanceof TypeError, String(error));
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("normalizeHook() settled never throws: a throw goes to onSettledError", () => {
  const reported: unknown[] = [];
  const failure = new Error("bookkeeping broke");
  const hook = normalizeHook({
    admit: () => false,
    settled: () => {
      throw failure;
    },
  }, { onSettledError: (error) => reported.push(error) });
  hook.settled!(DONE);
  assert.deepEqual(reported, [failure]);
});

Deno.test("normalizeHook() settled reports a promise it returned that rejects", async () => {
  const failure = new Error("async bookkeeping broke");
  const reported = Promise.withResolvers<unknown>();
  const hook = normalizeHook({
    admit: () => false,
    settled: () => Promise.reject(failure),
  }, { onSettledError: reported.resolve });
  hook.settled!(DONE);
  assert.equal(await reported.promise, failure);
});

Deno.test("normalizeHook() settled survives a reporter that throws", () => {
  const hook = normalizeHook({
    admit: () => false,
    settled: () => {
      throw new Error("first");
    },
  }, {
    onSettledError: () => {
      throw new Error("second");
    },
  });
  hook.settled!(DONE);
});
