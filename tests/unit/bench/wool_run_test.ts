import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { HeadToHeadRun } from "../../../bench/peers/_head_to_head.ts";

const WOOL_RUN = fileURLToPath(
  new URL("../../../bench/peers/_wool_run.ts", import.meta.url),
);
const CONFIG = fileURLToPath(new URL("../../../deno.json", import.meta.url));

Deno.test("bench/peers/_wool_run.ts makes one head-to-head run in its own process and prints it as one JSON line", async () => {
  const options = {
    workers: 2,
    concurrency: 8,
    calls: 200,
    warmup: 50,
    balancer: "round-robin",
  };
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, WOOL_RUN, JSON.stringify(options)],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.equal(output.code, 0);
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  assert.equal(lines.length, 1);
  const run = JSON.parse(lines[0]) as HeadToHeadRun;
  assert.equal(run.completed, 200);
  assert.equal(run.concurrency, 8);
  assert.ok(run.perSecond > 0);
  assert.ok(run.cpuUsPerTask > 0);
  assert.ok(run.callerCpuUsPerTask! > 0);
  assert.equal(run.workerCpuUsPerTask!.length, 2);
  for (const us of run.workerCpuUsPerTask!) assert.ok(us > 0);
});
