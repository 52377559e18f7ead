/**
 * wool's telemetry through Deno's built-in OpenTelemetry (`OTEL_DENO=true`),
 * across two processes: a caller process and a worker process, each
 * exporting OTLP/JSON to a collector this test serves on loopback. The
 * carrier travels between them as it will in a Task frame (here on stdin).
 *
 * The processes get no permission at all: Deno's exporter needs none.
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
interface ExportedSpan extends OtlpSpan {
  readonly service: string;
}
interface ExportedPoint {
  readonly service: string;
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
      const service = serviceOf(resource.resource);
      for (const scope of resource.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({ ...span, service });
        }
      }
    }
  }

  // deno-lint-ignore no-explicit-any
  #addPoints(body: any): void {
    for (const resource of body.resourceMetrics ?? []) {
      const service = serviceOf(resource.resource);
      for (const scope of resource.scopeMetrics ?? []) {
        for (const metric of scope.metrics ?? []) {
          const data = metric.sum ?? metric.histogram ?? metric.gauge;
          for (const point of data?.dataPoints ?? []) {
            this.points.push({
              service,
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

// deno-lint-ignore no-explicit-any
function serviceOf(resource: any): string {
  return String(attributesOf(resource?.attributes)["service.name"]);
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

/** Runs a fixture with Deno's OpenTelemetry exporting to `collector`. */
async function runTraced(
  fixture: string,
  service: string,
  collector: Collector,
  stdin = "",
): Promise<string> {
  const env: Record<string, string> = {
    OTEL_DENO: "true",
    OTEL_DENO_CONSOLE: "ignore",
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    OTEL_SERVICE_NAME: service,
    NO_COLOR: "1",
  };
  for (const name of ["HOME", "PATH", "DENO_DIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", new URL(fixture, FIXTURES).href],
    clearEnv: true,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const text = new TextDecoder();
  assert.equal(code, 0, `${fixture}: ${text.decode(stderr)}`);
  return text.decode(stdout);
}

Deno.test("with OTEL_DENO=true one trace spans the caller's and the worker's processes", async () => {
  await using collector = new Collector();
  const carriers = await runTraced("caller.ts", "caller", collector);
  await runTraced("worker.ts", "worker", collector, carriers);

  const named = (name: string) =>
    collector.spans.filter((span) => span.name === name);
  const [call] = named("wool.call add");
  const attempts = named("wool.attempt");
  const tasks = named("wool.task add");
  assert.ok(call, "the call span was exported");
  assert.equal(attempts.length, 2);
  assert.equal(tasks.length, 2);
  assert.equal(call.service, "caller");

  for (const span of [...attempts, ...tasks]) {
    assert.equal(span.traceId, call.traceId, span.name);
  }
  for (const attempt of attempts) {
    assert.equal(attempt.service, "caller");
    assert.equal(attempt.parentSpanId, call.spanId);
  }
  const attemptNumbered = (n: number) =>
    attempts.find((span) =>
      attributesOf(span.attributes)["wool.attempt"] === n
    );
  const verdictOf = (span: OtlpSpan) =>
    attributesOf(span.attributes)["wool.admission.verdict"];
  const rejectedTask = tasks.find((span) => verdictOf(span) === "rejected");
  const acceptedTask = tasks.find((span) => verdictOf(span) === "accepted");
  assert.equal(rejectedTask?.service, "worker");
  assert.equal(rejectedTask?.parentSpanId, attemptNumbered(1)?.spanId);
  assert.equal(acceptedTask?.parentSpanId, attemptNumbered(2)?.spanId);
  assert.equal(
    attributesOf(rejectedTask?.attributes)["wool.rejection.cause"],
    "hook",
  );

  const value = (service: string, metric: string) =>
    collector.points.filter((point) =>
      point.service === service && point.metric === metric
    ).reduce((sum, point) => sum + point.value, 0);
  assert.equal(value("worker", "wool.tasks.accepted"), 1);
  assert.equal(value("worker", "wool.tasks.rejected"), 1);
  assert.equal(value("worker", "wool.tasks.active"), 0);
  assert.equal(value("worker", "wool.admission.hook.duration"), 2);
  assert.equal(value("caller", "wool.dispatch.duration"), 1);
  assert.equal(value("caller", "wool.dispatch.permit.wait_time"), 2);
});
