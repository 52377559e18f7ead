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
  assert.ok(run.cpuUsPerTask > 0);
  assert.ok(run.callerCpuUsPerTask! > 0);
  assert.equal(run.workerCpuUsPerTask!.length, 2);
  for (const us of run.workerCpuUsPerTask!) assert.ok(us > 0);
});
