import assert from "node:assert/strict";
import { startCallTelemetry } from "../../../src/telemetry/call_telemetry.ts";
import {
  activeInstruments,
  DURATION_BUCKETS_S,
  WOOL_METRICS,
} from "../../../src/telemetry/instruments.ts";
import { startTaskTelemetry } from "../../../src/telemetry/task_telemetry.ts";
import type { TaskTelemetry } from "../../../src/telemetry/task_telemetry_types.ts";
import { OtelSdk } from "../../_helpers/otel_sdk.ts";

const MODULE = "file:///app/tasks.ts";

/**
 * Two "workers" with a maxActive-style hook (limit 2) and the caller's
 * round robin over them, driven call by call: every call tries w1, then w2.
 * Returns the tasks still running, so the test decides when they end.
 */
function runMix(calls: number): { running: TaskTelemetry[] } {
  const workers = [
    { address: "127.0.0.1:5001", running: [] as TaskTelemetry[] },
    { address: "127.0.0.1:5002", running: [] as TaskTelemetry[] },
  ];
  for (let i = 0; i < calls; i++) {
    const call = startCallTelemetry({ module: MODULE, export: "work" });
    let admitted = false;
    for (const worker of workers) {
      const attempt = call.startAttempt(worker.address);
      attempt.permitAcquired();
      const task = startTaskTelemetry(attempt.traceContext(), {
        id: `t${i}`,
        module: MODULE,
        export: "work",
      });
      task.hookStarted();
      if (worker.running.length >= 2) {
        task.rejected("hook", `${worker.running.length} active tasks, limit 2`);
        attempt.rejected({ code: "RESOURCE_EXHAUSTED", message: "limit 2" });
        continue;
      }
      task.accepted();
      worker.running.push(task);
      attempt.accepted();
      admitted = true;
      break;
    }
    call.end(admitted ? "ok" : "rejected");
  }
  return { running: workers.flatMap((worker) => worker.running) };
}

Deno.test("metrics after a known mix of accepted and rejected calls", async () => {
  await using sdk = OtelSdk.register();

  // 7 calls on 2 workers of 2 slots: calls 1-4 are admitted (w1, w1, w2, w2
  // after one rejection each for calls 3-4), calls 5-7 are rejected by both.
  const { running } = runMix(7);
  assert.equal(running.length, 4);
  running[0].end("ok");
  running[1].end("error", new Error("task failed"));
  // One task stopping before admission, with no hook run: cause "stopping".
  startTaskTelemetry(undefined, { module: MODULE, export: "work" })
    .rejected("stopping", "The worker is stopping");

  assert.equal(await sdk.sum(WOOL_METRICS.tasksAccepted), 4);
  assert.equal(
    await sdk.sum(WOOL_METRICS.tasksRejected, {
      "wool.rejection.cause": "hook",
    }),
    2 + 3 * 2,
  );
  assert.equal(
    await sdk.sum(WOOL_METRICS.tasksRejected, {
      "wool.rejection.cause": "stopping",
    }),
    1,
  );
  assert.equal(await sdk.sum(WOOL_METRICS.tasksActive), 4 - 2);

  const hook = await sdk.histogram(WOOL_METRICS.hookDuration);
  const hookCount = (verdict: string) =>
    hook.find((point) => point.attributes["wool.admission.verdict"] === verdict)
      ?.value.count;
  assert.equal(hookCount("accepted"), 4);
  assert.equal(hookCount("rejected"), 8);
  assert.deepEqual(hook[0].value.buckets.boundaries, DURATION_BUCKETS_S);

  const dispatch = await sdk.histogram(WOOL_METRICS.dispatchDuration);
  const dispatchCount = (outcome: string) =>
    dispatch.find((point) => point.attributes["wool.outcome"] === outcome)
      ?.value.count;
  assert.equal(dispatchCount("accepted"), 4);
  assert.equal(dispatchCount("rejected"), 3);

  const waits = await sdk.histogram(WOOL_METRICS.permitWait);
  const waitCount = (address: string) =>
    waits.find((point) => point.attributes["wool.worker.address"] === address)
      ?.value.count;
  // Every call tried w1; all but the first two went on to w2.
  assert.equal(waitCount("127.0.0.1:5001"), 7);
  assert.equal(waitCount("127.0.0.1:5002"), 5);
});

Deno.test("metrics without tracing, and tracing without metrics", async (t) => {
  await t.step("metrics only: values, no spans", async () => {
    await using sdk = OtelSdk.register({ traces: false });
    runMix(5);
    assert.equal(await sdk.sum(WOOL_METRICS.tasksAccepted), 4);
    assert.equal(await sdk.sum(WOOL_METRICS.tasksRejected), 2 + 2);
    assert.equal(sdk.spans().length, 0);
  });
  await t.step("traces only: spans, no values", async () => {
    await using sdk = OtelSdk.register({ metrics: false });
    const { running } = runMix(1);
    running[0].end("ok");
    assert.equal(activeInstruments(), undefined);
    assert.deepEqual(
      sdk.spans().map((span) => span.name).sort(),
      ["wool.attempt", "wool.call work", "wool.task work"],
    );
  });
});

Deno.test("a task's active count is balanced even when metrics start mid-task", async () => {
  const before = startTaskTelemetry(undefined, { module: MODULE, export: "w" });
  before.accepted();
  await using sdk = OtelSdk.register({ traces: false });
  const during = startTaskTelemetry(undefined, { module: MODULE, export: "w" });
  during.accepted();
  before.end("ok");
  during.end("ok");
  during.end("ok");
  assert.equal(await sdk.sum(WOOL_METRICS.tasksActive), 0);
  assert.equal(await sdk.sum(WOOL_METRICS.tasksAccepted), 1);
});
