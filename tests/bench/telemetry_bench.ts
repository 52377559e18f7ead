/**
 * The cost of wool's telemetry on the hot path, per call (caller side) and
 * per task (worker side): with no SDK registered (tracing and metrics off),
 * and with the real SDK registered, sampling every span.
 *
 *     deno bench -A tests/bench/telemetry_bench.ts
 *
 * The "on" cases use the SDK's usual batch span processor with an exporter
 * that drops what it is given, so they measure wool's spans and metrics plus
 * the SDK's own work, not an export. "one bare SDK span" is the SDK's floor:
 * a span started and ended with no attributes.
 *
 * @module
 */
import { registerDroppingSdk } from "../../bench/fixtures/dropping_sdk.ts";
import { metrics, trace } from "../../src/telemetry/otel_api.ts";
import { startCallTelemetry } from "../../src/telemetry/call_telemetry.ts";
import { startTaskTelemetry } from "../../src/telemetry/task_telemetry.ts";
import type { TraceCarrier } from "../../src/telemetry/trace_carrier.ts";

type Mode = "off" | "on";
let mode: Mode = "off";

/** Switches the global SDK on or off; free when already in that mode. */
function ensure(wanted: Mode): void {
  if (mode === wanted) return;
  mode = wanted;
  if (wanted === "off") {
    trace.disable();
    metrics.disable();
    return;
  }
  registerDroppingSdk();
}

const CALL = { module: "file:///app/tasks.ts", export: "add" };
const TASK = { id: "t1", module: "file:///app/tasks.ts", export: "add" };
const CARRIER: TraceCarrier = {
  traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
};
const result = (): number => 3;

function oneCall(): void {
  const call = startCallTelemetry(CALL);
  const attempt = call.startAttempt("127.0.0.1:5001");
  attempt.permitAcquired();
  if (attempt.traceContext() === undefined) throw new Error("no carrier");
  attempt.accepted();
  call.end("ok");
}

function oneTask(): void {
  const task = startTaskTelemetry(CARRIER, TASK);
  task.hookStarted();
  task.accepted();
  task.run(result);
  task.end("ok");
}

function oneRejection(): void {
  const task = startTaskTelemetry(CARRIER, TASK);
  task.hookStarted();
  task.rejected("hook", "2 active tasks, limit 2");
}

Deno.bench({
  name: "caller, one call: telemetry off (no SDK)",
  group: "caller",
  baseline: true,
  fn: () => {
    ensure("off");
    oneCall();
  },
});
Deno.bench({
  name: "caller, one call: SDK on, sampling all",
  group: "caller",
  fn: () => {
    ensure("on");
    oneCall();
  },
});
Deno.bench({
  name: "worker, one task: telemetry off (no SDK)",
  group: "worker",
  baseline: true,
  fn: () => {
    ensure("off");
    oneTask();
  },
});
Deno.bench({
  name: "worker, one task: SDK on, sampling all",
  group: "worker",
  fn: () => {
    ensure("on");
    oneTask();
  },
});
Deno.bench({
  name: "worker, one rejection: telemetry off (no SDK)",
  group: "rejection",
  baseline: true,
  fn: () => {
    ensure("off");
    oneRejection();
  },
});
Deno.bench({
  name: "worker, one rejection: SDK on, sampling all",
  group: "rejection",
  fn: () => {
    ensure("on");
    oneRejection();
  },
});
Deno.bench({
  name: "reference: one bare SDK span, SDK on",
  group: "reference",
  fn: () => {
    ensure("on");
    trace.getTracer("bench").startSpan("bare").end();
  },
});
