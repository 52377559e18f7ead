/**
 * wool's telemetry with the real OpenTelemetry SDK on both sides of a real
 * pool: the test process registers the SDK with in-memory exporters (the
 * caller's spans and metrics), and each worker process does the same before
 * it serves (`worker_sdk.ts`, preloaded), handing what it recorded back through a task
 * (`report` in `traced_tasks.ts`). The spans must form one trace across the
 * processes, over either transport.
 *
 * The pool's load balancer tries the workers in order, and the hook admits
 * one task at a time, so the mix is known: while `hold` streams on the first
 * worker, `add` is rejected there and accepted by the second; a call tagged
 * `"never"` is rejected by both.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { DispatchTimeout, NoWorkersAvailable, WorkerPool } from "../../mod.ts";
import { SpanKind, SpanStatusCode } from "../../src/telemetry/otel_api.ts";
import { OtelSdk } from "../_helpers/otel_sdk.ts";
import { preloadedWorker } from "../_helpers/worker_command.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";
import { InOrder } from "../_fixtures/telemetry/in_order.ts";
import type {
  SpanRecord,
  WorkerReport,
} from "../_fixtures/telemetry/traced_tasks.ts";

const FIXTURES = new URL("../_fixtures/telemetry/", import.meta.url);
const TASKS = new URL("traced_tasks.ts", FIXTURES).href;
const HOOK = new URL("traced_hook.ts", FIXTURES).href;
const WORKER_SDK = new URL("worker_sdk.ts", FIXTURES).href;
/**
 * Workers that register the SDK before they serve: the worker entry, with
 * `worker_sdk.ts` preloaded, as docs/telemetry.md tells users to run it.
 */
const SDK_WORKERS = preloadedWorker(WORKER_SDK);

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

function only<T>(items: readonly T[], what: string): T {
  assert.equal(items.length, 1, `expected one ${what}, found ${items.length}`);
  return items[0];
}

function sum(report: WorkerReport, metric: string, match = {}): number {
  return report.metrics[metric]
    .filter((point) =>
      Object.entries(match).every(([key, value]) =>
        point.attributes[key] === value
      )
    )
    .reduce((total, point) => total + point.value, 0);
}

for (const transport of TRANSPORTS) {
  Deno.test(`with the OpenTelemetry SDK on both sides, one trace spans caller and workers, and the metrics count the mix (transport "${transport}")`, async () => {
    await using sdk = OtelSdk.register();
    await using pool = await WorkerPool.start({
      spawn: 2,
      transport,
      backpressure: HOOK,
      admissionWaitMs: 0,
      loadBalancer: new InOrder(),
      worker: SDK_WORKERS,
    });
    const [first, second] = pool.workers;

    // `hold` keeps the first worker busy while it streams.
    const hold = pool.dispatch<AsyncGenerator<number>>({
      module: TASKS,
      export: "hold",
    })[Symbol.asyncIterator]();
    assert.deepEqual(await hold.next(), { done: false, value: 0 });
    assert.equal(
      await pool.dispatch({ module: TASKS, export: "add", args: [1, 2] }),
      3,
    );
    await hold.return(undefined);
    await assert.rejects(
      pool.dispatch({
        module: TASKS,
        export: "add",
        args: [0, 0],
        tag: "never",
      }),
      NoWorkersAvailable,
    );

    // The caller's side, before the reports add to it.
    const calls = sdk.spans().filter((span) => span.name === "wool.call add");
    assert.equal(calls.length, 2);
    const [added, refused] = calls;
    assert.equal(added.kind, SpanKind.INTERNAL);
    assert.equal(
      parentOf(added),
      undefined,
      "a call made at top level is a root",
    );
    assert.deepEqual(added.attributes, {
      "wool.module": TASKS,
      "wool.export": "add",
      "wool.attempts": 2,
      "wool.outcome": "ok",
      "wool.worker.address": second.address,
    });
    assert.equal(added.status.code, SpanStatusCode.UNSET);
    assert.equal(refused.attributes["wool.outcome"], "rejected");
    assert.equal(refused.attributes["wool.attempts"], 2);
    assert.equal(refused.attributes["error.type"], "NoWorkersAvailable");
    assert.equal(refused.status.code, SpanStatusCode.ERROR);

    const attemptsOf = (call: ReadableSpan) =>
      sdk.spans().filter((span) =>
        span.name === "wool.attempt" &&
        parentOf(span) === call.spanContext().spanId
      );
    const [rejected, accepted] = attemptsOf(added);
    assert.equal(rejected.kind, SpanKind.CLIENT);
    assert.equal(rejected.attributes["wool.attempt"], 1);
    assert.equal(rejected.attributes["wool.worker.address"], first.address);
    assert.equal(rejected.attributes["wool.outcome"], "rejected");
    assert.equal(rejected.attributes["wool.status_code"], "RESOURCE_EXHAUSTED");
    assert.match(
      String(rejected.attributes["wool.rejection.reason"]),
      /1 active, limit 1/,
    );
    assert.equal(typeof rejected.attributes["wool.permit.wait_ms"], "number");
    assert.equal(accepted.attributes["wool.attempt"], 2);
    assert.equal(accepted.attributes["wool.worker.address"], second.address);
    assert.equal(accepted.attributes["wool.outcome"], "accepted");
    const refusedAttempts = attemptsOf(refused);
    assert.deepEqual(
      refusedAttempts.map((span) => span.attributes["wool.outcome"]),
      ["rejected", "rejected"],
    );

    const dispatch = await sdk.histogram("wool.dispatch.duration");
    const countOf = (outcome: string) =>
      dispatch.filter((point) => point.attributes["wool.outcome"] === outcome)
        .reduce((total, point) => total + point.value.count, 0);
    assert.equal(countOf("accepted"), 2, "hold and add were admitted");
    assert.equal(countOf("rejected"), 1, "the call tagged never");
    const permitWaits = (await sdk.histogram("wool.dispatch.permit.wait_time"))
      .reduce((total, point) => total + point.value.count, 0);
    assert.equal(permitWaits, 5, "one per attempt: 1 + 2 + 2");

    // The workers' side, read back through a task on each.
    const reportOf = (worker: { address: string }) =>
      pool.dispatch<WorkerReport>({
        module: TASKS,
        export: "report",
        tag: `to:${worker.address}`,
      });
    const one = await reportOf(first);
    const two = await reportOf(second);
    assert.equal(one.pid, first.pid);
    assert.equal(two.pid, second.pid);

    const tasksOf = (report: WorkerReport, traceId: string) =>
      report.spans.filter((span) =>
        span.name === "wool.task add" && span.traceId === traceId
      );
    const addTrace = added.spanContext().traceId;
    const rejectedTask: SpanRecord = only(
      tasksOf(one, addTrace),
      "rejected task",
    );
    assert.equal(rejectedTask.kind, SpanKind.SERVER);
    assert.equal(rejectedTask.parentSpanId, rejected.spanContext().spanId);
    assert.equal(rejectedTask.parentIsRemote, true);
    assert.equal(rejectedTask.attributes["wool.admission.verdict"], "rejected");
    assert.equal(rejectedTask.attributes["wool.rejection.cause"], "hook");
    assert.equal(
      typeof rejectedTask.attributes["wool.admission.hook_duration_ms"],
      "number",
    );
    assert.equal(
      rejectedTask.attributes["wool.task.run_duration_ms"],
      undefined,
    );

    const ranTask = only(tasksOf(two, addTrace), "accepted task");
    assert.equal(ranTask.parentSpanId, accepted.spanContext().spanId);
    assert.equal(ranTask.attributes["wool.module"], TASKS);
    assert.equal(ranTask.attributes["wool.admission.verdict"], "accepted");
    assert.equal(ranTask.attributes["wool.outcome"], "ok");
    assert.equal(
      typeof ranTask.attributes["wool.task.run_duration_ms"],
      "number",
    );
    assert.equal(typeof ranTask.attributes["wool.task.id"], "string");
    const inner = only(
      two.spans.filter((span) => span.name === "add.inner"),
      "span of the task's own",
    );
    assert.equal(inner.traceId, addTrace);
    assert.equal(
      inner.parentSpanId,
      ranTask.spanId,
      "task code runs in the task span",
    );

    const refusedTrace = refused.spanContext().traceId;
    for (const [report, attempt] of [[one, 0], [two, 1]] as const) {
      const task = only(tasksOf(report, refusedTrace), "refused task");
      assert.equal(
        task.parentSpanId,
        refusedAttempts[attempt].spanContext().spanId,
      );
      assert.equal(
        task.attributes["wool.rejection.reason"],
        "Rejected by backpressure hook: tagged never",
      );
    }

    // Counted when each report was taken: the report itself is admitted
    // and active then. First worker: hold, report accepted; add, never
    // rejected. Second: add, report accepted; never rejected.
    assert.equal(sum(one, "wool.tasks.accepted"), 2);
    assert.equal(
      sum(one, "wool.tasks.rejected", { "wool.rejection.cause": "hook" }),
      2,
    );
    assert.equal(sum(one, "wool.tasks.active"), 1);
    assert.equal(sum(one, "wool.admission.hook.duration"), 4);
    assert.equal(
      sum(one, "wool.admission.hook.duration", {
        "wool.admission.verdict": "rejected",
      }),
      2,
    );
    assert.equal(sum(two, "wool.tasks.accepted"), 2);
    assert.equal(
      sum(two, "wool.tasks.rejected", { "wool.rejection.cause": "hook" }),
      1,
    );
    assert.equal(sum(two, "wool.tasks.active"), 1);
    assert.equal(sum(two, "wool.admission.hook.duration"), 3);
  });
}

Deno.test("a call's span says how it ended, and so does its task's span in the worker: error, timeout, cancelled", async () => {
  await using sdk = OtelSdk.register();
  await using pool = await WorkerPool.start({
    spawn: 1,
    worker: SDK_WORKERS,
  });
  await assert.rejects(
    pool.dispatch({ module: TASKS, export: "fails" }),
    RangeError,
  );
  await assert.rejects(
    pool.dispatch({ module: TASKS, export: "waits", timeoutMs: 50 }),
    DispatchTimeout,
  );
  const controller = new AbortController();
  const cancelled = pool.dispatch({
    module: TASKS,
    export: "waits",
    signal: controller.signal,
  });
  const reason = new Error("changed my mind");
  const aborted = assert.rejects(cancelled, (error) => error === reason);
  controller.abort(reason);
  await aborted;

  const outcome = (name: string) =>
    only(sdk.spans().filter((span) => span.name === name), name);
  const failed = outcome("wool.call fails");
  assert.equal(failed.attributes["wool.outcome"], "error");
  assert.equal(failed.attributes["error.type"], "RangeError");
  assert.equal(failed.status.code, SpanStatusCode.ERROR);
  assert.deepEqual(
    sdk.spans().filter((span) => span.name === "wool.call waits").map((
      span,
    ) => span.attributes["wool.outcome"]),
    ["timeout", "cancelled"],
  );

  const [worker] = pool.workers;
  const report = await pool.dispatch<WorkerReport>({
    module: TASKS,
    export: "report",
    tag: `to:${worker.address}`,
  });
  const task = only(
    report.spans.filter((span) => span.name === "wool.task fails"),
    "task span",
  );
  assert.equal(task.traceId, failed.spanContext().traceId);
  assert.equal(task.attributes["wool.outcome"], "error");
  assert.equal(task.attributes["error.type"], "RangeError");
  assert.equal(task.status, SpanStatusCode.ERROR);
  assert.deepEqual(
    report.spans.filter((span) => span.name === "wool.task waits").map((
      span,
    ) => span.attributes["wool.outcome"]),
    ["cancelled", "cancelled"],
  );
  assert.equal(sum(report, "wool.tasks.active"), 1, "only the report runs");
});

Deno.test("a nested call's span is a child of the span active in the task that made it, and its task a child of that", async () => {
  await using sdk = OtelSdk.register();
  await using pool = await WorkerPool.start({
    spawn: 2,
    loadBalancer: new InOrder(),
    worker: SDK_WORKERS,
  });
  assert.equal(
    await pool.dispatch({ module: TASKS, export: "addNested", args: [2, 3] }),
    5,
  );
  const outer = only(
    sdk.spans().filter((span) => span.name === "wool.call addNested"),
    "outer call span",
  );
  const nested = only(
    sdk.spans().filter((span) => span.name === "wool.call add"),
    "nested call span",
  );
  const traceId = outer.spanContext().traceId;
  assert.equal(nested.spanContext().traceId, traceId);
  assert.equal(nested.parentSpanContext?.isRemote, true);

  // The task spans, from both workers, wherever parent and child ran.
  const [first, second] = pool.workers;
  const reports = [];
  for (const worker of [first, second]) {
    reports.push(
      await pool.dispatch<WorkerReport>({
        module: TASKS,
        export: "report",
        tag: `to:${worker.address}`,
      }),
    );
  }
  const spans = reports.flatMap((report) => report.spans)
    .filter((span) => span.traceId === traceId);
  const parentTask = only(
    spans.filter((span) => span.name === "wool.task addNested"),
    "parent task span",
  );
  assert.equal(
    nested.parentSpanContext?.spanId,
    parentTask.spanId,
    "the nested call is the parent task's child",
  );
  const [nestedAttempt] = sdk.spans().filter((span) =>
    span.name === "wool.attempt" &&
    span.parentSpanContext?.spanId === nested.spanContext().spanId
  );
  const childTask = only(
    spans.filter((span) =>
      span.name === "wool.task add" &&
      span.attributes["wool.admission.verdict"] === "accepted"
    ),
    "child task span",
  );
  assert.equal(childTask.traceId, traceId);
  assert.ok(nestedAttempt, "the nested call has an attempt span");
  assert.equal(
    sdk.spans().find((span) =>
      span.spanContext().spanId === childTask.parentSpanId
    )?.parentSpanContext?.spanId,
    nested.spanContext().spanId,
    "the child task is under one of the nested call's attempts",
  );
});

Deno.test("a worker started with no SDK records nothing until a task's module registers one, then records the tasks after it (the API loaded then, not at start)", async () => {
  await using sdk = OtelSdk.register();
  await using pool = await WorkerPool.start({ spawn: 1 });
  // Importing `traced_tasks.ts` registers the worker's SDK: `report` is the
  // first task of a worker that had none when the task arrived.
  const before = await pool.dispatch<WorkerReport>({
    module: TASKS,
    export: "report",
  });
  assert.deepEqual(before.spans, [], "nothing recorded the registering task");
  assert.equal(
    await pool.dispatch({ module: TASKS, export: "add", args: [2, 3] }),
    5,
  );
  const after = await pool.dispatch<WorkerReport>({
    module: TASKS,
    export: "report",
  });
  const task = only(
    after.spans.filter((span) => span.name === "wool.task add"),
    "task span",
  );
  const attempt = only(
    sdk.spans().filter((span) =>
      span.name === "wool.attempt" &&
      span.spanContext().traceId === task.traceId
    ),
    "attempt span of the traced call",
  );
  assert.equal(task.parentSpanId, attempt.spanContext().spanId);
  assert.equal(task.parentIsRemote, true);
  assert.equal(
    sum(after, "wool.tasks.accepted"),
    2,
    "counted from the first task after the registration: add, and this report",
  );
});
