import assert from "node:assert/strict";
import {
  median,
  percentile,
  percentileSorted,
  ratio,
  Samples,
  summarize,
} from "../../../bench/_stats.ts";

Deno.test("percentileSorted() interpolates linearly between the closest ranks", () => {
  const sorted = [10, 20, 30, 40];
  assert.equal(percentileSorted(sorted, 0), 10);
  assert.equal(percentileSorted(sorted, 100), 40);
  assert.equal(percentileSorted(sorted, 50), 25);
  // rank 0.99 × 3 = 2.97: 30 + 0.97 × 10
  assert.ok(Math.abs(percentileSorted(sorted, 99) - 39.7) < 1e-9);
});

Deno.test("percentileSorted() is NaN without samples and the value with one", () => {
  assert.ok(Number.isNaN(percentileSorted([], 50)));
  assert.equal(percentileSorted([7], 99), 7);
});

Deno.test("percentileSorted() rejects a percentile outside [0, 100]", () => {
  assert.throws(() => percentileSorted([1], 101), RangeError);
  assert.throws(() => percentileSorted([1], -1), RangeError);
  assert.throws(() => percentileSorted([1], NaN), RangeError);
});

Deno.test("percentile() sorts a copy and leaves its input alone", () => {
  const samples = [3, 1, 2];
  assert.equal(percentile(samples, 50), 2);
  assert.deepEqual(samples, [3, 1, 2]);
  assert.equal(median([5, 1, 3, 2, 4]), 3);
});

Deno.test("summarize() gives count, extremes, mean and percentiles", () => {
  const values = Array.from({ length: 101 }, (_, i) => 100 - i);
  const summary = summarize(values);
  assert.equal(summary.count, 101);
  assert.equal(summary.minMs, 0);
  assert.equal(summary.maxMs, 100);
  assert.equal(summary.meanMs, 50);
  assert.equal(summary.p50Ms, 50);
  assert.equal(summary.p90Ms, 90);
  assert.equal(summary.p99Ms, 99);
});

Deno.test("summarize() of no samples is a count of 0 and NaN elsewhere", () => {
  const summary = summarize([]);
  assert.equal(summary.count, 0);
  assert.ok(Number.isNaN(summary.p50Ms));
  assert.ok(Number.isNaN(summary.meanMs));
});

Deno.test("ratio() is NaN unless both sides are finite and the floor positive", () => {
  assert.equal(ratio(3, 2), 1.5);
  assert.ok(Number.isNaN(ratio(3, 0)));
  assert.ok(Number.isNaN(ratio(NaN, 2)));
  assert.ok(Number.isNaN(ratio(3, Infinity)));
});

Deno.test("Samples grows past its first capacity and keeps every value in order", () => {
  const samples = new Samples();
  for (let i = 0; i < 5000; i++) samples.add(i);
  assert.equal(samples.length, 5000);
  const values = samples.values();
  assert.equal(values.length, 5000);
  assert.equal(values[0], 0);
  assert.equal(values[4999], 4999);
});
