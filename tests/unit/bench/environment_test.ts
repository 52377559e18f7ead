import assert from "node:assert/strict";
import { foreignCpuShare, readCpuTimes } from "../../../bench/_environment.ts";

Deno.test("foreignCpuShare() is the machine's busy time not spent by this process tree", () => {
  const before = { machineBusyMs: 1000, ownMs: 100 };
  const after = { machineBusyMs: 2000, ownMs: 700 };
  // 1000 ms busy, 600 of them ours, over 1000 ms of wall time on 2 CPUs.
  assert.equal(foreignCpuShare(before, after, 1000, 2), 0.2);
});

Deno.test("foreignCpuShare() never goes below 0", () => {
  const before = { machineBusyMs: 0, ownMs: 0 };
  const after = { machineBusyMs: 100, ownMs: 110 };
  assert.equal(foreignCpuShare(before, after, 1000, 2), 0);
});

Deno.test("readCpuTimes() counts the CPU this process uses", () => {
  const before = readCpuTimes();
  if (Number.isNaN(before.ownMs)) return; // Not Linux.
  const end = performance.now() + 50;
  while (performance.now() < end) {
    // Burn CPU.
  }
  const after = readCpuTimes();
  assert.ok(after.ownMs >= before.ownMs);
  assert.ok(after.machineBusyMs >= before.machineBusyMs);
});
