import assert from "node:assert/strict";
import {
  openEventStream,
  pause,
  waitForAbort,
} from "../../../src/discovery/_event_stream.ts";

Deno.test("openEventStream delivers what the producer emits, in order, until the signal aborts", async () => {
  const controller = new AbortController();
  const stream = openEventStream<number>(
    controller.signal,
    async (emit, signal) => {
      for (let i = 0; i < 3; i++) emit(i);
      await waitForAbort(signal);
    },
  );
  const seen: number[] = [];
  for await (const value of stream) {
    seen.push(value);
    if (value === 2) controller.abort();
  }
  assert.deepStrictEqual(seen, [0, 1, 2]);
});

Deno.test("openEventStream ends only once the producer has released what it opened", async () => {
  const controller = new AbortController();
  const order: string[] = [];
  const stream = openEventStream<string>(
    controller.signal,
    async (emit, signal) => {
      emit("ready");
      await waitForAbort(signal);
      await Promise.resolve();
      order.push("released");
    },
  );
  for await (const event of stream) {
    order.push(event);
    controller.abort();
  }
  order.push("ended");
  assert.deepStrictEqual(order, ["ready", "released", "ended"]);
});

Deno.test("openEventStream stops its producer when the consumer breaks out", async () => {
  let stopped = false;
  const stream = openEventStream<number>(
    new AbortController().signal,
    async (emit, signal) => {
      emit(1);
      await waitForAbort(signal);
      stopped = true;
    },
  );
  for await (const _ of stream) break;
  assert.equal(stopped, true);
});

Deno.test("openEventStream never starts a producer on an aborted signal", async () => {
  let started = false;
  const stream = openEventStream<number>(AbortSignal.abort(), () => {
    started = true;
    return Promise.resolve();
  });
  assert.deepStrictEqual(await stream.next(), { value: undefined, done: true });
  assert.equal(started, false);
});

Deno.test("openEventStream ends with the producer's error, after the events before it", async () => {
  const stream = openEventStream<number>(
    new AbortController().signal,
    (emit) => {
      emit(7);
      return Promise.reject(new RangeError("bug"));
    },
  );
  assert.deepStrictEqual(await stream.next(), { value: 7, done: false });
  await assert.rejects(stream.next(), RangeError);
  assert.deepStrictEqual(await stream.next(), { value: undefined, done: true });
});

Deno.test("pause resolves true after its time and false at once on abort", async () => {
  assert.equal(await pause(1, new AbortController().signal), true);
  const controller = new AbortController();
  const paused = pause(60_000, controller.signal);
  controller.abort();
  assert.equal(await paused, false);
  assert.equal(await pause(60_000, AbortSignal.abort()), false);
});
