import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { FrameBatcher } from "../../../src/wire/frame_batcher.ts";

function batcher(maxBatchBytes = 100) {
  const batches: number[][] = [];
  const outbox = new FrameBatcher<number>(
    (batch) => batches.push(batch),
    (item) => item,
    maxBatchBytes,
  );
  return { outbox, batches };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

Deno.test("FrameBatcher hands over the items of one turn as one batch, a turn later", async () => {
  const { outbox, batches } = batcher();
  outbox.push(1);
  outbox.push(2);
  await Promise.resolve();
  assert.deepEqual(batches, []);
  await nextTurn();
  assert.deepEqual(batches, [[1, 2]]);
});

Deno.test("FrameBatcher flushes before a batch would grow past its limit", async () => {
  const { outbox, batches } = batcher(10);
  outbox.push(6);
  outbox.push(6);
  assert.deepEqual(batches, [[6]]);
  await nextTurn();
  assert.deepEqual(batches, [[6], [6]]);
});

Deno.test("FrameBatcher.hurry() hands the batch over at the end of this turn, once", async () => {
  const { outbox, batches } = batcher();
  outbox.push(1);
  outbox.hurry();
  outbox.push(2);
  outbox.hurry();
  assert.deepEqual(batches, []);
  await Promise.resolve();
  assert.deepEqual(batches, [[1, 2]]);
  await nextTurn();
  assert.deepEqual(batches, [[1, 2]]);
});

Deno.test("FrameBatcher.hurry() does nothing while the batch is empty", async () => {
  const { outbox, batches } = batcher();
  outbox.hurry();
  outbox.push(1);
  await Promise.resolve();
  assert.deepEqual(batches, []);
  await nextTurn();
  assert.deepEqual(batches, [[1]]);
});
