import assert from "node:assert/strict";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
} from "../../../src/telemetry/otel_api.ts";
import { startCallTelemetry } from "../../../src/telemetry/call_telemetry.ts";
import { startTaskTelemetry } from "../../../src/telemetry/task_telemetry.ts";
import type { TraceCarrier } from "../../../src/telemetry/trace_carrier.ts";
import { OtelSdk } from "../../_helpers/otel_sdk.ts";

const MODULE = "file:///app/tasks.ts";

/**
 * The worker side of one attempt, as a separate process would run it: it
 * sees only the carrier (a JSON round trip, as on the wire) and decides by
 * `reject`.
 */
function serveAttempt(
  carrier: TraceCarrier,
  taskId: string,
  reject: string | undefined,
): void {
  const wire = JSON.parse(JSON.stringify(carrier));
  const task = startTaskTelemetry(wire, {
    id: taskId,
    module: MODULE,
    export: "add",
  });
  task.hookStarted();
  if (reject !== undefined) {
    task.rejected("hook", reject);
    return;
  }
  task.accepted();
  task.run(() => 3);
  task.end("ok");
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

Deno.test("a call's spans: attempts under the call, each worker's task span under its attempt", async () => {
  await using sdk = OtelSdk.register();

  const call = startCallTelemetry({ module: new URL(MODULE), export: "add" });
  const first = call.startAttempt("127.0.0.1:5001");
  first.permitAcquired();
  serveAttempt(first.traceContext(), "t1", "2 active tasks, limit 2");
  first.rejected({
    code: "RESOURCE_EXHAUSTED",
    message: "Rejected by backpressure hook: 2 active tasks, limit 2",
  });
  const second = call.startAttempt("127.0.0.1:5002");
  second.permitAcquired();
  serveAttempt(second.traceContext(), "t1", undefined);
  second.accepted();
  call.end("ok");

  const callSpan = sdk.span("wool.call add");
  const attempts = sdk.spans().filter((span) => span.name === "wool.attempt");
  const tasks = sdk.spans().filter((span) => span.name === "wool.task add");
  assert.equal(attempts.length, 2);
  assert.equal(tasks.length, 2);

  const traceId = callSpan.spanContext().traceId;
  for (const span of [...attempts, ...tasks]) {
    assert.equal(span.spanContext().traceId, traceId, span.name);
  }
  assert.equal(callSpan.kind, SpanKind.INTERNAL);
  assert.equal(parentOf(callSpan), undefined);
  assert.deepEqual(callSpan.attributes, {
    "wool.module": MODULE,
    "wool.export": "add",
    "wool.attempts": 2,
    "wool.outcome": "ok",
    "wool.worker.address": "127.0.0.1:5002",
  });
  assert.equal(callSpan.status.code, SpanStatusCode.UNSET);

  const [rejected, accepted] = attempts;
  for (const attempt of attempts) {
    assert.equal(attempt.kind, SpanKind.CLIENT);
    assert.equal(parentOf(attempt), callSpan.spanContext().spanId);
    assert.equal(typeof attempt.attributes["wool.permit.wait_ms"], "number");
  }
  assert.equal(rejected.attributes["wool.attempt"], 1);
  assert.equal(rejected.attributes["wool.worker.address"], "127.0.0.1:5001");
  assert.equal(rejected.attributes["wool.outcome"], "rejected");
  assert.equal(rejected.attributes["wool.status_code"], "RESOURCE_EXHAUSTED");
  assert.match(
    String(rejected.attributes["wool.rejection.reason"]),
    /limit 2/,
  );
  assert.equal(accepted.attributes["wool.attempt"], 2);
  assert.equal(accepted.attributes["wool.outcome"], "accepted");

  const [turnedAway, ran] = tasks;
  for (const [task, attempt] of [[turnedAway, rejected], [ran, accepted]]) {
    assert.equal(task.kind, SpanKind.SERVER);
    assert.equal(parentOf(task), attempt.spanContext().spanId);
    assert.equal(task.parentSpanContext?.isRemote, true);
    assert.equal(task.attributes["wool.task.id"], "t1");
    assert.equal(
      typeof task.attributes["wool.admission.hook_duration_ms"],
      "number",
    );
  }
  assert.equal(turnedAway.attributes["wool.admission.verdict"], "rejected");
  assert.equal(turnedAway.attributes["wool.rejection.cause"], "hook");
  assert.equal(
    turnedAway.attributes["wool.rejection.reason"],
    "2 active tasks, limit 2",
  );
  assert.equal(ran.attributes["wool.admission.verdict"], "accepted");
  assert.equal(ran.attributes["wool.outcome"], "ok");
  assert.equal(typeof ran.attributes["wool.task.run_duration_ms"], "number");
});

Deno.test("a call that no worker admits ends with an error status naming the error class", async () => {
  await using sdk = OtelSdk.register();
  const call = startCallTelemetry({ module: MODULE, export: "add" });
  const attempt = call.startAttempt("127.0.0.1:5001");
  attempt.rejected({ code: "RESOURCE_EXHAUSTED", message: "full" });
  class NoWorkersAvailable extends Error {
    override name = "NoWorkersAvailable";
  }
  call.end("rejected", new NoWorkersAvailable("all 1 tried declined"));
  call.end("ok");

  const span = sdk.span("wool.call add");
  assert.equal(span.attributes["wool.outcome"], "rejected");
  assert.equal(span.attributes["error.type"], "NoWorkersAvailable");
  assert.equal(span.attributes["wool.worker.address"], undefined);
  assert.deepEqual(span.status, {
    code: SpanStatusCode.ERROR,
    message: "all 1 tried declined",
  });
  assert.equal(span.events[0]?.name, "exception");
});

Deno.test("an attempt that fails and a task that throws are error spans", async () => {
  await using sdk = OtelSdk.register();
  const call = startCallTelemetry({ module: MODULE, export: "boom" });
  const attempt = call.startAttempt("127.0.0.1:5001");
  const task = startTaskTelemetry(attempt.traceContext(), {
    module: MODULE,
    export: "boom",
  });
  task.accepted();
  attempt.accepted();
  const error = new RangeError("out of range");
  task.end("error", error);
  call.end("error", error);

  const taskSpan = sdk.span("wool.task boom");
  assert.equal(taskSpan.attributes["error.type"], "RangeError");
  assert.equal(
    taskSpan.attributes["wool.admission.hook_duration_ms"],
    undefined,
  );
  assert.equal(taskSpan.status.code, SpanStatusCode.ERROR);

  const failing = startCallTelemetry({ module: MODULE, export: "boom" });
  const broken = failing.startAttempt("127.0.0.1:5002");
  broken.failed(new Error("connection reset"));
  broken.accepted();
  failing.end("timeout");
  const brokenSpan = sdk.spans().filter((span) => span.name === "wool.attempt")
    .find((span) =>
      span.attributes["wool.worker.address"] === "127.0.0.1:5002"
    );
  assert.equal(brokenSpan?.attributes["wool.outcome"], "failed");
  assert.equal(brokenSpan?.status.code, SpanStatusCode.ERROR);
  const timedOut = sdk.spans().filter((span) => span.name === "wool.call boom")
    .at(-1);
  assert.equal(timedOut?.attributes["error.type"], "timeout");
});

Deno.test("a call started inside an active span is its child; task code runs inside the task span across await", async () => {
  await using sdk = OtelSdk.register({ asyncContext: true });
  const tracer = trace.getTracer("app");
  const request = tracer.startSpan("handle request");
  const call = context.with(
    trace.setSpan(context.active(), request),
    () => startCallTelemetry({ module: MODULE, export: "add" }),
  );
  const attempt = call.startAttempt("127.0.0.1:5001");
  const task = startTaskTelemetry(attempt.traceContext(), {
    module: MODULE,
    export: "add",
  });
  task.accepted();
  attempt.accepted();
  await task.run(async () => {
    await Promise.resolve();
    tracer.startSpan("inside the task").end();
  });
  task.end("ok");
  call.end("ok");
  request.end();

  assert.equal(
    parentOf(sdk.span("wool.call add")),
    request.spanContext().spanId,
  );
  assert.equal(
    parentOf(sdk.span("inside the task")),
    sdk.span("wool.task add").spanContext().spanId,
  );
});
