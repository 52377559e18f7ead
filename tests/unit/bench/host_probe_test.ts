import assert from "node:assert/strict";
import {
  CacheWalk,
  describeHost,
  type HostProbe,
  judgeHost,
  probeHost,
  probeLoop,
} from "../../../bench/_host_probe.ts";

const probe = (at: string, loopMs: number, walkNs: number): HostProbe => ({
  at,
  loopMs,
  walkNs,
});

Deno.test("probeLoop() does the same work for the same count, and more for more", () => {
  assert.equal(probeLoop(100_000), probeLoop(100_000));
  assert.notEqual(probeLoop(100_000), probeLoop(100_001));
});

Deno.test("CacheWalk is one cycle through every slot", () => {
  const walk = new CacheWalk(4 * 1000);
  assert.equal(walk.length, 1000);
  // Back at slot 0 after exactly `length` steps, and not before.
  assert.equal(walk.walk(walk.length), 0);
  for (let steps = 1; steps < walk.length; steps++) {
    assert.notEqual(walk.walk(steps), 0, `back at 0 after ${steps} steps`);
  }
});

Deno.test("probeHost() times both probes", () => {
  const result = probeHost("here", new CacheWalk(64 * 1024), 1);
  assert.equal(result.at, "here");
  assert.ok(result.loopMs > 0 && Number.isFinite(result.loopMs));
  assert.ok(result.walkNs > 0 && Number.isFinite(result.walkNs));
});

Deno.test("judgeHost() spreads each measure over its best, and names the slow probes", () => {
  const verdict = judgeHost([
    probe("before floors", 50, 24),
    probe("before pool", 52, 25),
    probe("before overload", 104, 25), // The loop slowed.
    probe("end", 51, 96), // The walk slowed.
  ]);
  assert.equal(verdict.loopSpread, 104 / 50);
  assert.equal(verdict.walkSpread, 96 / 24);
  assert.deepEqual(verdict.slow.map((p) => p.at), [
    "before overload",
    "end",
  ]);
});

Deno.test("judgeHost() finds nothing slow in a steady run", () => {
  const verdict = judgeHost([probe("a", 50, 24), probe("b", 55, 27)]);
  assert.deepEqual(verdict.slow, []);
  assert.equal(verdict.loopSpread, 1.1);
});

Deno.test("describeHost() gives the ranges, the previous run, and warns only when the host slowed", () => {
  const steady = describeHost(
    [probe("before pool", 50, 24), probe("end", 53, 25)],
    { loopMs: 100, walkNs: 24, startedAt: "2026-12-03T06:01:24Z" },
  );
  assert.equal(steady.length, 1);
  assert.match(steady[0], /a fixed loop 50–53 ms, a 4 MiB walk 24\.0–25\.0 ns/);
  assert.match(steady[0], /0\.50× and 1\.00× the previous run's/);

  const slowed = describeHost([
    probe("before pool", 50, 24),
    probe("end", 50, 90),
  ]);
  assert.equal(slowed.length, 2);
  assert.match(slowed[1], /^Warning: the host slowed .*end: 50 ms, 90\.0 ns/);
  assert.deepEqual(describeHost([]), []);
});
