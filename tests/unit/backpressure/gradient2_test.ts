import assert from "node:assert/strict";
import { Gradient2 } from "../../../src/backpressure/_gradient2.ts";

const SETTINGS = {
  minLimit: 1,
  maxLimit: 64,
  initialLimit: 1,
  tolerance: 1.5,
  smoothing: 0.2,
  baselineMs: 1000,
};

/**
 * Feeds `rounds` rounds of one task each, `latencyOf(k)` milliseconds for
 * a task admitted at a whole limit of `k`, 5 ms apart; returns the whole
 * limit each round ran at.
 */
function drive(
  gradient: Gradient2,
  rounds: number,
  latencyOf: (k: number) => number,
  start = { seq: 0 },
): number[] {
  const limits: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const k = Math.floor(gradient.limit);
    limits.push(k);
    start.seq++;
    gradient.update({
      latencyMs: latencyOf(k),
      nowMs: start.seq * 5,
      mayGrow: true,
      seq: start.seq,
      admitted: start.seq,
      alone: k === 1,
    });
  }
  return limits;
}

Deno.test("Gradient2 on a saturated thread probes a second task ever more rarely: failed probes back off", () => {
  const gradient = new Gradient2(SETTINGS);
  // CPU-bound: k tasks share one thread, each takes k times as long.
  const limits = drive(gradient, 2000, (k) => 5 * k);
  const probes = limits.slice(500).filter((k) => k >= 2).length;
  // Without the backoff the limit climbed back to 2 every few rounds
  // (a third of all rounds); with it, a few in 1,500.
  assert.ok(probes <= 1500 * 0.05, `${probes} of 1500 rounds ran at 2+`);
  assert.ok(probes >= 1, "it never probed again");
});

Deno.test("Gradient2 grows again at once when a probe holds, after failed ones", () => {
  const gradient = new Gradient2(SETTINGS);
  const clock = { seq: 0 };
  drive(gradient, 600, (k) => 5 * k, clock);
  // The work turns I/O-bound: more at once costs nothing.
  const limits = drive(gradient, 400, () => 5, clock);
  assert.ok(
    limits.at(-1)! >= 16,
    `the limit reached only ${limits.at(-1)} in 400 flat rounds`,
  );
});
