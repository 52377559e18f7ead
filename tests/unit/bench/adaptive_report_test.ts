import assert from "node:assert/strict";
import type { AdaptiveResults, AdaptiveRun } from "../../../bench/_adaptive.ts";
import { targetLines } from "../../../bench/_adaptive_report.ts";

function results(run: Partial<AdaptiveRun>): AdaptiveResults {
  return {
    taskMs: 5,
    callTimeoutMs: 1000,
    baseline: {
      capacityPerSecond: 200,
      unloadedP99Ms: 6,
      doubledCapacityPerSecond: 100,
      doubledUnloadedP99Ms: 12,
    },
    runs: [{
      hook: "adaptiveConcurrency()",
      multiple: 10,
      goodputPerSecond: 190,
      p99Ms: 15,
      offered: 4000,
      rejected: 3600,
      timedOut: 0,
      ...run,
    }],
    costChange: { multiple: 2, runs: [] },
  };
}

Deno.test("targetLines marks each target of a load met or missed against the baseline", () => {
  assert.deepEqual(targetLines(results({})), [
    "pass 10×: goodput 95 % of capacity (target ≥ 90 %)",
    "MISS 10×: accepted p99 2.50× unloaded (target ≤ 2×)",
  ]);
});

Deno.test("targetLines tells how late the generator sent the calls, where the run recorded it", () => {
  const [, p99] = targetLines(results({ p99Ms: 9, lagP99Ms: 2.5 }));
  assert.equal(
    p99,
    "pass 10×: accepted p99 1.50× unloaded (target ≤ 2×); calls sent late by the generator: p99 2.50 ms",
  );
});
