import assert from "node:assert/strict";
import {
  alignGcEvents,
  coveredMs,
  findStalls,
  lagSpans,
  parseGcLine,
} from "../../../bench/_tail.ts";
import { runFixedCount, runTimedCalls } from "../../../bench/_load.ts";

const SCAVENGE =
  "[1234:0x55bae0c12000]      515 ms: Scavenge (during sweeping) 3.6 (5.5) -> 3.2 (5.5) MB, pooled: 0.0 MB, 0.45 / 0.00 ms  (average mu = 0.784, current mu = 0.784) allocation failure; ";
const FORCED =
  "[1234:0x55bae0c12000]       13 ms: Mark-Compact 3.5 (4.5) -> 2.6 (4.5) MB, pooled: 0.0 MB, 2.69 / 0.01 ms  (average mu = 0.784, current mu = 0.784) testing; GC in old space requested";
const INCREMENTAL =
  "[wool w1] [99:0x1]     1628 ms: Incremental Mark-Compact 68.4 (118.1) -> 14.6 (92.9) MB, pooled: 25.0 MB, 6.38 / 0.00 ms (+ 7.0 ms in 171 steps since start of marking, biggest step 0.6 ms, walltime since start of marking 19 ms) (average mu = 0.979, current mu = 0.982) finalize incremental marking via task; GC in old space requested";

Deno.test("parseGcLine() reads pid, kind, time and pause of --trace-gc lines, relayed or not", () => {
  assert.deepEqual(parseGcLine(SCAVENGE), {
    pid: 1234,
    kind: "Scavenge",
    v8Ms: 515,
    pauseMs: 0.45,
    forced: false,
  });
  assert.deepEqual(parseGcLine(FORCED), {
    pid: 1234,
    kind: "Mark-Compact",
    v8Ms: 13,
    pauseMs: 2.69,
    forced: true,
  });
  assert.deepEqual(parseGcLine(INCREMENTAL), {
    pid: 99,
    kind: "Incremental Mark-Compact",
    v8Ms: 1628,
    pauseMs: 6.38,
    forced: false,
  });
  assert.equal(parseGcLine("[wool w1] hello"), undefined);
});

Deno.test("alignGcEvents() places pauses on the epoch clock through the forced collection", () => {
  const events = [SCAVENGE, FORCED].map((line) => parseGcLine(line)!);
  const aligned = alignGcEvents(events, [{ pid: 1234, endMs: 10_013 }]);
  assert.equal(aligned.length, 1);
  assert.equal(aligned[0].endMs, 10_515);
  assert.ok(Math.abs(aligned[0].startMs - (10_515 - 0.45)) < 1e-9);
  // A process with no calibration has no place on the clock.
  assert.deepEqual(alignGcEvents(events, [{ pid: 7, endMs: 1 }]), []);
});

Deno.test("findStalls() finds the gaps between completions longer than the threshold", () => {
  // Sorted: 1, 2, 5, 12, 13; only 5 → 12 is longer than 3 ms.
  assert.deepEqual(findStalls([5, 1, 2, 12, 13], 3), [
    { startMs: 5, endMs: 12 },
  ]);
  assert.deepEqual(findStalls([1, 2, 3], 3), []);
});

Deno.test("coveredMs() counts each stall's overlap with the union of the spans once", () => {
  const stalls = [{ startMs: 0, endMs: 10 }, { startMs: 20, endMs: 30 }];
  const spans = [
    { startMs: 2, endMs: 6 },
    { startMs: 4, endMs: 8 }, // overlaps the first: 2..8 counts 6
    { startMs: 25, endMs: 40 }, // clipped to 25..30
    { startMs: 12, endMs: 18 }, // between stalls
  ];
  assert.equal(coveredMs(stalls, spans), 11);
  assert.equal(coveredMs(stalls, []), 0);
});

Deno.test("lagSpans() turns lag probe records into spans from due time to run time", () => {
  assert.deepEqual(lagSpans([{ pid: 3, atMs: 100, lagMs: 5 }]), [
    { pid: 3, startMs: 100, endMs: 105 },
  ]);
});

/** An operation that counts its calls and the most running at once. */
function countingOp(pause: () => Promise<unknown>) {
  const counts = { calls: 0, running: 0, peak: 0 };
  const op = async () => {
    counts.calls++;
    counts.running++;
    counts.peak = Math.max(counts.peak, counts.running);
    await pause();
    counts.running--;
  };
  return { op, counts };
}

Deno.test("runFixedCount() runs exactly the total, never more than the concurrency at once", async () => {
  const { op, counts } = countingOp(() => Promise.resolve());
  const result = await runFixedCount(op, { concurrency: 4, total: 10 });
  assert.equal(counts.calls, 10);
  assert.equal(result.completed, 10);
  assert.equal(counts.peak, 4);
  assert.equal(result.latency.count, 10);
});

Deno.test("runTimedCalls() runs exactly the total, never more than the concurrency at once, and times each call on the epoch clock", async () => {
  const { op, counts } = countingOp(() =>
    new Promise((resolve) => setTimeout(resolve, 1))
  );
  const before = Date.now();
  const { starts, ends } = await runTimedCalls(op, {
    concurrency: 4,
    total: 10,
  });
  const after = Date.now();
  assert.equal(counts.calls, 10);
  assert.equal(counts.peak, 4);
  assert.equal(starts.length, 10);
  assert.equal(ends.length, 10);
  // The epoch clock, not performance.now()'s: within a second of Date.now()
  // (the monotonic clock may drift from the wall clock since start).
  for (const [i, start] of starts.entries()) {
    assert.ok(start <= ends[i], `call ${i} ended before it started`);
    assert.ok(before - 1000 <= start, `call ${i} started at ${start}`);
    assert.ok(ends[i] <= after + 1000, `call ${i} ended at ${ends[i]}`);
  }
});
