/**
 * wool's telemetry through Deno's built-in OpenTelemetry (`OTEL_DENO=true`),
 * no SDK: a program runs a real pool of two workers
 * (`_fixtures/telemetry/otel_deno_pool.ts`); it and each worker export
 * OTLP/JSON to a collector this test serves on loopback. The workers get
 * the exporter settings from the pool's environment, and the trace context
 * travels in each attempt's Task frame.
 *
 * @module
 */
import assert from "node:assert/strict";

const FIXTURES = new URL("../_fixtures/telemetry/", import.meta.url);

interface OtlpValue {
  readonly stringValue?: string;
  readonly intValue?: string | number;
  readonly doubleValue?: number;
}
interface OtlpAttribute {
  readonly key: string;
  readonly value: OtlpValue;
}
interface OtlpSpan {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly attributes?: readonly OtlpAttribute[];
}
/** What a span or point came from: a worker's id, or none for the pool's. */
interface Exported {
  readonly worker: string | undefined;
}
interface ExportedSpan extends OtlpSpan, Exported {}
interface ExportedPoint extends Exported {
  readonly metric: string;
  readonly attributes: Record<string, unknown>;
  /** A sum's value, or a histogram's count. */
  readonly value: number;
}

/** An OTLP/HTTP JSON receiver on 127.0.0.1, keeping what it is sent. */
class Collector implements AsyncDisposable {
  readonly spans: ExportedSpan[] = [];
  readonly points: ExportedPoint[] = [];
  readonly #server: Deno.HttpServer<Deno.NetAddr>;

  constructor() {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      async (request) => {
        const body = await request.json();
        const path = new URL(request.url).pathname;
        if (path === "/v1/traces") this.#addSpans(body);
        if (path === "/v1/metrics") this.#addPoints(body);
        return Response.json({});
      },
    );
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.#server.addr.port}`;
  }

  // deno-lint-ignore no-explicit-any
  #addSpans(body: any): void {
    for (const resource of body.resourceSpans ?? []) {
      const worker = workerOf(resource.resource);
      for (const scope of resource.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({ ...span, worker });
        }
      }
    }
  }

  // deno-lint-ignore no-explicit-any
  #addPoints(body: any): void {
    for (const resource of body.resourceMetrics ?? []) {
      const worker = workerOf(resource.resource);
      for (const scope of resource.scopeMetrics ?? []) {
        for (const metric of scope.metrics ?? []) {
          const data = metric.sum ?? metric.histogram ?? metric.gauge;
          for (const point of data?.dataPoints ?? []) {
            this.points.push({
              worker,
              metric: metric.name,
              attributes: attributesOf(point.attributes),
              value: Number(point.asInt ?? point.asDouble ?? point.count),
            });
          }
        }
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#server.shutdown();
  }
}

/** The pool's worker id in a resource (`wool.worker.id`), if any. */
// deno-lint-ignore no-explicit-any
function workerOf(resource: any): string | undefined {
  const id = attributesOf(resource?.attributes)["wool.worker.id"];
  return id === undefined ? undefined : String(id);
}

function attributesOf(
  attributes: readonly OtlpAttribute[] | undefined,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const { key, value } of attributes ?? []) {
    result[key] = value.stringValue ?? value.doubleValue ??
      (value.intValue === undefined ? undefined : Number(value.intValue));
  }
  return result;
}

/** Runs the pool program with Deno's OpenTelemetry exporting to `collector`. */
async function runTraced(
  collector: Collector,
): Promise<{ id: string; address: string }[]> {
  const env: Record<string, string> = {
    OTEL_DENO: "true",
    OTEL_DENO_CONSOLE: "ignore",
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    OTEL_SERVICE_NAME: "app",
    NO_COLOR: "1",
  };
  for (const name of ["HOME", "PATH", "DENO_DIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("otel_deno_pool.ts", FIXTURES).href],
    clearEnv: true,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  assert.equal(code, 0, text.decode(stderr));
  return JSON.parse(text.decode(stdout));
}

Deno.test("with OTEL_DENO=true one trace spans the pool's process and its workers' processes", async () => {
  await using collector = new Collector();
  const [first, second] = await runTraced(collector);

  const named = (name: string) =>
    collector.spans.filter((span) => span.name === name);
  const attributes = (span: OtlpSpan | undefined) =>
    attributesOf(span?.attributes);
  const [added, refused] = named("wool.call add");
  assert.ok(added && refused, "both calls were exported");
  assert.equal(attributes(added)["wool.outcome"], "ok");
  assert.equal(attributes(added)["wool.attempts"], 2);
  assert.equal(attributes(added)["wool.worker.address"], second.address);
  assert.equal(attributes(refused)["wool.outcome"], "rejected");

  const attemptsOf = (call: OtlpSpan) =>
    named("wool.attempt").filter((span) => span.parentSpanId === call.spanId);
  const [rejected, accepted] = attemptsOf(added).sort((a, b) =>
    Number(attributes(a)["wool.attempt"]) -
    Number(attributes(b)["wool.attempt"])
  );
  assert.equal(attributes(rejected)["wool.worker.address"], first.address);
  assert.equal(attributes(rejected)["wool.outcome"], "rejected");
  assert.equal(attributes(accepted)["wool.outcome"], "accepted");

  const tasksIn = (traceId: string) =>
    named("wool.task add").filter((span) => span.traceId === traceId);
  const tasks = tasksIn(added.traceId);
  assert.equal(tasks.length, 2);
  const rejectedTask = tasks.find((span) =>
    span.parentSpanId === rejected.spanId
  );
  const acceptedTask = tasks.find((span) =>
    span.parentSpanId === accepted.spanId
  );
  assert.equal(attributes(rejectedTask)["wool.admission.verdict"], "rejected");
  assert.equal(attributes(rejectedTask)["wool.rejection.cause"], "hook");
  assert.equal(attributes(acceptedTask)["wool.admission.verdict"], "accepted");
  assert.equal(attributes(acceptedTask)["wool.outcome"], "ok");
  const [inner] = named("add.inner");
  assert.equal(inner?.parentSpanId, acceptedTask?.spanId);
  assert.equal(tasksIn(refused.traceId).length, 2);

  // Each worker's resource names it. Accepted: hold by the first, add by
  // the second; rejected: add by the busy first, never by both.
  assert.equal(rejectedTask?.worker, first.id);
  assert.equal(acceptedTask?.worker, second.id);
  assert.equal(added.worker, undefined, "the pool's process is no worker");
  const value = (worker: string | undefined, metric: string) =>
    collector.points.filter((point) =>
      point.worker === worker && point.metric === metric
    ).reduce((sum, point) => sum + point.value, 0);
  assert.equal(value(first.id, "wool.tasks.accepted"), 1);
  assert.equal(value(first.id, "wool.tasks.rejected"), 2);
  assert.equal(value(first.id, "wool.tasks.active"), 0);
  assert.equal(value(first.id, "wool.admission.hook.duration"), 3);
  assert.equal(value(second.id, "wool.tasks.accepted"), 1);
  assert.equal(value(second.id, "wool.tasks.rejected"), 1);
  assert.equal(value(second.id, "wool.admission.hook.duration"), 2);
  assert.equal(value(undefined, "wool.tasks.accepted"), 0);
  assert.equal(value(undefined, "wool.dispatch.duration"), 3);
  assert.equal(value(undefined, "wool.dispatch.permit.wait_time"), 5);
});
