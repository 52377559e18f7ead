import assert from "node:assert/strict";
import { runWoolInOwnProcess } from "../../../bench/peers/_wool_run.ts";

Deno.test("bench/peers/_wool_run.ts runWoolInOwnProcess() makes one head-to-head run of our pool in a Deno process and reads back its figures", async () => {
  const run = await runWoolInOwnProcess({
    workers: 2,
    concurrency: 8,
    calls: 200,
    warmup: 50,
    balancer: "round-robin",
  });
  assert.equal(run.completed, 200);
  assert.equal(run.concurrency, 8);
  assert.ok(run.perSecond > 0);
  // CPU time comes from /proc/<pid>/stat in 10 ms ticks, and 200 short calls
  // can take less than one tick in a process: a figure may read 0, never NaN.
  const cpu = [run.cpuUsPerTask, run.callerCpuUsPerTask!];
  assert.equal(run.workerCpuUsPerTask!.length, 2);
  for (const us of [...cpu, ...run.workerCpuUsPerTask!]) {
    assert.ok(Number.isFinite(us) && us >= 0, `CPU per task ${us}`);
  }
});
