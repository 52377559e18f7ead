/**
 * wool's metric instruments, created on the registered meter provider, or
 * `undefined` when there is none.
 *
 * | name                                | instrument    | unit     | attributes                  | recorded by |
 * | ----------------------------------- | ------------- | -------- | --------------------------- | ----------- |
 * | `wool.tasks.accepted`               | Counter       | `{task}` | —                           | worker      |
 * | `wool.tasks.rejected`               | Counter       | `{task}` | `wool.rejection.cause`      | worker      |
 * | `wool.tasks.active`                 | UpDownCounter | `{task}` | —                           | worker      |
 * | `wool.admission.hook.duration`      | Histogram     | `s`      | `wool.admission.verdict`    | worker      |
 * | `wool.dispatch.duration`            | Histogram     | `s`      | `wool.outcome`              | caller      |
 * | `wool.dispatch.permit.wait_time`    | Histogram     | `s`      | `wool.worker.address`       | caller      |
 *
 * Names and units follow the OpenTelemetry conventions: dotted lower-case
 * names, durations in seconds, counts in curly-brace units, no `_total`
 * suffix. Each worker process reports its own task counts; the process's
 * resource (e.g. `service.instance.id`) tells workers apart. What each value
 * means is in `docs/telemetry.md`.
 *
 * The metrics API has no proxy: a meter taken before an SDK is registered
 * stays a no-op. So the instruments are made per provider, on first use
 * after it is registered, and looked up on every record: one global lookup
 * and an identity check when nothing is registered.
 *
 * @module
 */
import {
  type Counter,
  createNoopMeter,
  type Histogram,
  type MeterProvider,
  metrics,
  type UpDownCounter,
} from "./otel_api.ts";
import { INSTRUMENTATION_SCOPE } from "./tracer.ts";

/** The names of wool's metrics. */
export const WOOL_METRICS = Object.freeze({
  tasksAccepted: "wool.tasks.accepted",
  tasksRejected: "wool.tasks.rejected",
  tasksActive: "wool.tasks.active",
  hookDuration: "wool.admission.hook.duration",
  dispatchDuration: "wool.dispatch.duration",
  permitWait: "wool.dispatch.permit.wait_time",
});

/** wool's instruments on one meter provider. */
export interface WoolInstruments {
  /** Tasks a worker admitted (Ack sent). */
  readonly tasksAccepted: Counter;
  /** Tasks a worker turned away before they entered its docket. */
  readonly tasksRejected: Counter;
  /** Tasks in a worker's docket: +1 when admitted, −1 when they end. */
  readonly tasksActive: UpDownCounter;
  /** Time the backpressure hook took to decide, in seconds. */
  readonly hookDuration: Histogram;
  /** Time from a call's dispatch to its admission (or final refusal). */
  readonly dispatchDuration: Histogram;
  /** Time an attempt waited for a dispatch permit of its connection. */
  readonly permitWait: Histogram;
}

/**
 * Bucket boundaries for wool's durations, in seconds: 10 µs to 10 s. A
 * hook or a permit wait is often microseconds; the default boundaries
 * (0–10000, meant for milliseconds) would put them all in the first bucket.
 */
export const DURATION_BUCKETS_S: readonly number[] = Object.freeze([
  0.00001,
  0.000025,
  0.00005,
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
]);

/** What the API's no-op meter hands out for every counter. */
const NOOP_COUNTER: Counter = createNoopMeter().createCounter("noop");

let cachedProvider: MeterProvider | undefined;
let cachedInstruments: WoolInstruments | undefined;

/**
 * wool's instruments on the registered meter provider.
 *
 * @returns The instruments, or `undefined` when no meter provider is
 * registered (metrics off).
 */
export function activeInstruments(): WoolInstruments | undefined {
  const provider = metrics.getMeterProvider();
  if (provider !== cachedProvider) {
    cachedProvider = provider;
    cachedInstruments = createInstruments(provider);
  }
  return cachedInstruments;
}

function createInstruments(
  provider: MeterProvider,
): WoolInstruments | undefined {
  const meter = provider.getMeter(INSTRUMENTATION_SCOPE);
  const tasksAccepted = meter.createCounter(WOOL_METRICS.tasksAccepted, {
    description: "Tasks a worker admitted and acknowledged",
    unit: "{task}",
  });
  if (tasksAccepted === NOOP_COUNTER) return undefined;
  const advice = { explicitBucketBoundaries: [...DURATION_BUCKETS_S] };
  return {
    tasksAccepted,
    tasksRejected: meter.createCounter(WOOL_METRICS.tasksRejected, {
      description: "Tasks a worker rejected before they entered its docket",
      unit: "{task}",
    }),
    tasksActive: meter.createUpDownCounter(WOOL_METRICS.tasksActive, {
      description: "Tasks in a worker's docket (running or streaming)",
      unit: "{task}",
    }),
    hookDuration: meter.createHistogram(WOOL_METRICS.hookDuration, {
      description: "Time the backpressure hook took to decide",
      unit: "s",
      advice,
    }),
    dispatchDuration: meter.createHistogram(WOOL_METRICS.dispatchDuration, {
      description:
        "Time from a call's dispatch to its admission by a worker, or to its final refusal",
      unit: "s",
      advice,
    }),
    permitWait: meter.createHistogram(WOOL_METRICS.permitWait, {
      description:
        "Time an attempt waited for a dispatch permit of its worker connection",
      unit: "s",
      advice,
    }),
  };
}
