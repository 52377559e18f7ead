/**
 * The real OpenTelemetry SDK with in-memory exporters, registered globally
 * for one test: spans land in an `InMemorySpanExporter`, metrics are read on
 * demand through a pull reader. `await using` unregisters everything.
 *
 * @module
 */
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import { context, metrics, trace } from "../../src/telemetry/otel_api.ts";

/** Which parts of the SDK to register. */
export interface OtelSdkOptions {
  /** Register a tracer provider. @default {true} */
  readonly traces?: boolean;
  /** Register a meter provider. @default {true} */
  readonly metrics?: boolean;
  /** Register a context manager that follows `await`. @default {false} */
  readonly asyncContext?: boolean;
}

/** A metric reader that only reads when asked (no timers). */
class PullReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** A data point, flattened: its attributes and its value. */
export interface Point<V> {
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly value: V;
}

/** The registered SDK; read spans and metrics from it. */
export class OtelSdk implements AsyncDisposable {
  readonly #spans = new InMemorySpanExporter();
  readonly #reader = new PullReader();
  readonly #tracerProvider: BasicTracerProvider | undefined;
  readonly #meterProvider: MeterProvider | undefined;
  readonly #contextManager: AsyncLocalStorageContextManager | undefined;

  private constructor(options: OtelSdkOptions) {
    if (options.traces ?? true) {
      this.#tracerProvider = new BasicTracerProvider({
        spanProcessors: [new SimpleSpanProcessor(this.#spans)],
      });
      if (!trace.setGlobalTracerProvider(this.#tracerProvider)) {
        throw new Error("a tracer provider is already registered");
      }
    }
    if (options.metrics ?? true) {
      this.#meterProvider = new MeterProvider({ readers: [this.#reader] });
      if (!metrics.setGlobalMeterProvider(this.#meterProvider)) {
        throw new Error("a meter provider is already registered");
      }
    }
    if (options.asyncContext ?? false) {
      this.#contextManager = new AsyncLocalStorageContextManager().enable();
      context.setGlobalContextManager(this.#contextManager);
    }
  }

  /** Registers the SDK globally. */
  static register(options: OtelSdkOptions = {}): OtelSdk {
    return new OtelSdk(options);
  }

  /** The spans ended so far, in the order they ended. */
  spans(): ReadableSpan[] {
    return this.#spans.getFinishedSpans();
  }

  /** The one ended span called `name`; fails when there is not exactly one. */
  span(name: string): ReadableSpan {
    const found = this.spans().filter((span) => span.name === name);
    if (found.length !== 1) {
      throw new Error(
        `expected one span "${name}", found ${found.length} among ${
          this.spans().map((span) => span.name).join(", ")
        }`,
      );
    }
    return found[0];
  }

  /**
   * The data points of the metric called `name` (empty when none, or when no
   * meter provider was registered).
   */
  async points<V = number>(name: string): Promise<Point<V>[]> {
    if (this.#meterProvider === undefined) return [];
    const { resourceMetrics, errors } = await this.#reader.collect();
    if (errors.length > 0) throw errors[0];
    const points: Point<V>[] = [];
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.descriptor.name !== name) continue;
        for (const point of metric.dataPoints as DataPoint<unknown>[]) {
          points.push({
            attributes: point.attributes,
            value: point.value as V,
          });
        }
      }
    }
    return points;
  }

  /** The sum of a counter's points whose attributes include `match`. */
  async sum(
    name: string,
    match: Readonly<Record<string, unknown>> = {},
  ): Promise<number> {
    let sum = 0;
    for (const point of await this.points<number>(name)) {
      if (includes(point.attributes, match)) sum += point.value;
    }
    return sum;
  }

  /** The histogram points of `name`, with their counts and sums. */
  histogram(name: string): Promise<Point<Histogram>[]> {
    return this.points<Histogram>(name);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    trace.disable();
    metrics.disable();
    context.disable();
    await this.#tracerProvider?.shutdown();
    await this.#meterProvider?.shutdown();
    this.#contextManager?.disable();
  }
}

function includes(
  attributes: Readonly<Record<string, unknown>>,
  match: Readonly<Record<string, unknown>>,
): boolean {
  return Object.entries(match).every(([key, value]) =>
    attributes[key] === value
  );
}
