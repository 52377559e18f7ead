/**
 * The worker's lazy door to telemetry, in this test's own isolate: nothing
 * registered, it answers with no-ops and loads nothing; once an SDK
 * registers, it loads the recording code once and tasks are recorded.
 * The tests run in order: the first needs a registry that nobody made.
 *
 * @module
 */
import assert from "node:assert/strict";
import { context, trace } from "../../../src/telemetry/otel_api.ts";
import { otelRegistered } from "../../../src/telemetry/otel_registry.ts";
import { EMPTY_TRACE_CARRIER } from "../../../src/telemetry/trace_carrier.ts";
import { NOOP_TASK_TELEMETRY } from "../../../src/telemetry/task_telemetry_types.ts";
import {
  injectTraceContext,
  startTaskTelemetry,
  telemetryLoading,
} from "../../../src/worker/worker_telemetry.ts";
import { OtelSdk } from "../../_helpers/otel_sdk.ts";

const TASK = { id: "t1", module: "file:///app/tasks.ts", export: "add" };
const CARRIER = {
  traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
};

Deno.test("with nothing registered, the worker's telemetry is the shared no-op and nothing waits to load", () => {
  assert.equal(otelRegistered(), false, "nothing registers before this test");
  assert.equal(telemetryLoading(), undefined);
  assert.equal(startTaskTelemetry(CARRIER, TASK), NOOP_TASK_TELEMETRY);
  assert.equal(injectTraceContext(), EMPTY_TRACE_CARRIER);
});

Deno.test("once an SDK registers, the next task waits for the recording code once, then its span joins the caller's trace", async () => {
  await using sdk = OtelSdk.register({ asyncContext: true });
  assert.equal(otelRegistered(), true);
  const loading = telemetryLoading();
  assert.ok(loading instanceof Promise, "a task now waits for the import");
  assert.equal(telemetryLoading(), loading, "one import, however many ask");
  await loading;
  assert.equal(telemetryLoading(), undefined, "loaded: nothing to wait for");

  const telemetry = startTaskTelemetry(CARRIER, TASK);
  assert.notEqual(telemetry, NOOP_TASK_TELEMETRY);
  telemetry.accepted();
  const nested = telemetry.run(() => injectTraceContext());
  telemetry.end("ok");

  const span = sdk.span("wool.task add");
  assert.equal(span.spanContext().traceId, "0af7651916cd43dd8448eb211c80319c");
  assert.equal(span.parentSpanContext?.spanId, "b7ad6b7169203331");
  assert.equal(
    nested.traceparent,
    `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`,
    "a nested call made inside the task carries the task's span",
  );
  assert.equal(trace.getSpan(context.active()), undefined);
});
