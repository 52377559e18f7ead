/**
 * One call traced across processes with OpenTelemetry, one rejected attempt
 * included, printed as a tree.
 *
 *     deno run -A examples/observability.ts
 *
 * The pool's process registers the OpenTelemetry SDK
 * (`npm:@opentelemetry/sdk-trace-base`) and keeps its spans in memory. The
 * workers use Deno's built-in OpenTelemetry instead (`OTEL_DENO=true`, set
 * through `worker.env`), exporting OTLP/JSON to a collector this example
 * serves on 127.0.0.1: the same way you would point them, and the pool's
 * process, at a real collector (see docs/telemetry.md). wool carries the
 * W3C trace context in every Task frame, so the spans form one trace.
 *
 * @module
 */
import { WorkerPool } from "@wool/core";
import { trace } from "npm:@opentelemetry/api@1.9.1";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";

/** A span, from either side, as this example prints it. */
interface Printed {
  readonly process: string;
  readonly name: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly traceId: string;
  readonly attributes: Record<string, unknown>;
}

// The pool's process: the SDK, spans kept in memory.
const callerSpans = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(callerSpans)],
  }),
);

// The workers' spans arrive here as OTLP/JSON, as at a collector.
const workerSpans: Printed[] = [];
await using collector = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  async (request) => {
    const body = await request.json();
    if (new URL(request.url).pathname === "/v1/traces") {
      for (const resource of body.resourceSpans ?? []) {
        for (const scope of resource.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            const attributes: Record<string, unknown> = {};
            for (const { key, value } of span.attributes ?? []) {
              attributes[key] = Object.values(value)[0];
            }
            workerSpans.push({ process: "worker", ...span, attributes });
          }
        }
      }
    }
    return Response.json({});
  },
);

{
  // Each worker runs at most one task at a time (the built-in `maxActive`).
  await using pool = await WorkerPool.start({
    spawn: 2,
    backpressure: {
      module: "@wool/core/backpressure",
      export: "maxActive",
      options: { limit: 1 },
    },
    worker: {
      env: {
        OTEL_DENO: "true",
        OTEL_SERVICE_NAME: "wool-worker",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.addr.port}`,
      },
    },
  });
  const tasks = pool.remote<typeof import("./tasks.ts")>(
    import.meta.resolve("./tasks.ts"),
  );
  // The round-robin balancer starts each call at the next worker: an open
  // stream keeps the first one busy, a call goes to the second, and the
  // call after it starts at the busy first worker, which rejects it.
  const busy = tasks.count(1_000_000)[Symbol.asyncIterator]();
  await busy.next();
  await tasks.add(1, 1);
  console.log(`add(2, 3) = ${await tasks.add(2, 3)}`);
  await busy.return(undefined);
} // Closing the pool stops the workers, which export their spans as they exit.

const caller: Printed[] = callerSpans.getFinishedSpans().map((span) => ({
  process: "caller",
  name: span.name,
  spanId: span.spanContext().spanId,
  parentSpanId: span.parentSpanContext?.spanId,
  traceId: span.spanContext().traceId,
  attributes: { ...span.attributes },
}));
const call = caller.findLast((span) => span.name === "wool.call add");
if (call === undefined) throw new Error("no span of the call");
const spans = [...caller, ...workerSpans].filter((span) =>
  span.traceId === call.traceId
);

const SHOWN = [
  "wool.outcome",
  "wool.attempts",
  "wool.attempt",
  "wool.worker.address",
  "wool.status_code",
  "wool.admission.verdict",
  "wool.rejection.cause",
  "wool.rejection.reason",
];
function print(span: Printed, depth: number): void {
  const shown = SHOWN.filter((key) => span.attributes[key] !== undefined)
    .map((key) => `${key}=${JSON.stringify(span.attributes[key])}`);
  console.log(
    `${"  ".repeat(depth)}${span.name} [${span.process}] ${shown.join(" ")}`,
  );
  for (const child of spans) {
    if (child.parentSpanId === span.spanId) print(child, depth + 1);
  }
}
console.log(`trace ${call.traceId}:`);
print(call, 0);
