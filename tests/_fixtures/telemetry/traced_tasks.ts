/**
 * Tasks for the telemetry tests, run by workers that preload `worker_sdk.ts`: `add` and
 * `hold` of `work.ts`; `fails` and `waits` to end badly; `report` returns what this
 * worker's SDK recorded, so the test can read it across the process
 * boundary.
 *
 * @module
 */
import { currentPool, taskSignal } from "../../../src/task/mod.ts";
import { WOOL_METRICS } from "../../../src/telemetry/instruments.ts";
import { workerSdk } from "./worker_sdk.ts";

export { add, hold } from "./work.ts";

/** A finished span, as plain data. */
export interface SpanRecord {
  readonly name: string;
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly parentIsRemote: boolean | undefined;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly status: number;
}

/** A metric's data points, as plain data. */
export interface PointRecord {
  readonly attributes: Readonly<Record<string, unknown>>;
  /** A sum's value, or a histogram's count. */
  readonly value: number;
}

/** What this worker recorded. */
export interface WorkerReport {
  readonly pid: number;
  readonly spans: readonly SpanRecord[];
  readonly metrics: Readonly<Record<string, readonly PointRecord[]>>;
}

/** Calls `add` of `work.ts` as a nested call, through the pool. */
export function addNested(a: number, b: number): Promise<number> {
  return currentPool().dispatch<number>({
    module: new URL("./work.ts", import.meta.url).href,
    export: "add",
    args: [a, b],
  });
}

/** Throws a `RangeError`. */
export function fails(): never {
  throw new RangeError("out of range");
}

/** Settles when its signal aborts: the call times out or is cancelled. */
export function waits(): Promise<never> {
  const signal = taskSignal();
  return new Promise((_, reject) =>
    signal.addEventListener("abort", () => reject(signal.reason), {
      once: true,
    })
  );
}

/** The spans and metric points this worker's SDK has recorded so far. */
export async function report(): Promise<WorkerReport> {
  const spans = workerSdk.spans().map((span) => ({
    name: span.name,
    kind: span.kind,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    parentIsRemote: span.parentSpanContext?.isRemote,
    attributes: { ...span.attributes },
    status: span.status.code,
  }));
  const metrics: Record<string, PointRecord[]> = {};
  for (const name of Object.values(WOOL_METRICS)) {
    metrics[name] = (await workerSdk.points<unknown>(name)).map((point) => ({
      attributes: { ...point.attributes },
      value: typeof point.value === "number"
        ? point.value
        : (point.value as { count: number }).count,
    }));
  }
  return { pid: Deno.pid, spans, metrics };
}
