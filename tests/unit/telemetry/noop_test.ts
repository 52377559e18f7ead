import assert from "node:assert/strict";
import { startCallTelemetry } from "../../../src/telemetry/call_telemetry.ts";
import { activeInstruments } from "../../../src/telemetry/instruments.ts";
import { startTaskTelemetry } from "../../../src/telemetry/task_telemetry.ts";
import { activeTracer } from "../../../src/telemetry/tracer.ts";
import { EMPTY_TRACE_CARRIER } from "../../../src/telemetry/trace_carrier.ts";
import { OtelSdk } from "../../_helpers/otel_sdk.ts";

const CALL = { module: "file:///tasks.ts", export: "add" };
const TASK = { id: "t1", module: "file:///tasks.ts", export: "add" };
const CARRIER = {
  traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
};

Deno.test("telemetry without an SDK hands out shared no-op objects", () => {
  assert.equal(activeTracer(), undefined);
  assert.equal(activeInstruments(), undefined);

  const call = startCallTelemetry(CALL);
  assert.equal(startCallTelemetry(CALL), call);
  const attempt = call.startAttempt("127.0.0.1:1");
  assert.equal(call.startAttempt("127.0.0.1:2"), attempt);
  attempt.permitAcquired();
  assert.equal(attempt.traceContext(), EMPTY_TRACE_CARRIER);
  attempt.rejected({ code: "RESOURCE_EXHAUSTED", message: "full" });
  attempt.accepted();
  call.end("ok");

  const task = startTaskTelemetry(CARRIER, TASK);
  assert.equal(startTaskTelemetry(undefined, TASK), task);
  task.hookStarted();
  task.accepted();
  assert.equal(task.run(() => 42), 42);
  task.end("ok");
});

Deno.test("telemetry follows an SDK registered after start-up, and its removal", async () => {
  const before = startCallTelemetry(CALL);
  {
    await using sdk = OtelSdk.register();
    const during = startCallTelemetry(CALL);
    assert.notEqual(during, before);
    during.end("ok");
    assert.equal(sdk.spans().length, 1);
  }
  assert.equal(startCallTelemetry(CALL), before);
  assert.equal(activeTracer(), undefined);
  assert.equal(activeInstruments(), undefined);
});
