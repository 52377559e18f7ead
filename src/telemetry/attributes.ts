/**
 * The attribute keys and values of wool's spans and metrics, in one place.
 *
 * Keys follow the OpenTelemetry naming rules: lower-case, dot-separated
 * namespaces under `wool.`, with `error.type` from the semantic conventions.
 * The full list of spans and metrics, with which attribute goes where, is in
 * `docs/telemetry.md`.
 *
 * @module
 */
import type { Attributes } from "./otel_api.ts";

/** Attribute keys of wool's spans and metrics. */
export const WOOL_ATTRIBUTES = Object.freeze({
  /** The task module specifier, as the caller gave it (a URL as its href). */
  module: "wool.module",
  /** The name of the export called. */
  export: "wool.export",
  /** The task id, unique per call; on spans only. */
  taskId: "wool.task.id",
  /** How many workers a call tried; on the call span. */
  attempts: "wool.attempts",
  /** The 1-based number of an attempt within its call. */
  attempt: "wool.attempt",
  /** The worker address (`pool.workers[i].address`). */
  workerAddress: "wool.worker.address",
  /** How a call, attempt, task or dispatch ended; see the outcome types. */
  outcome: "wool.outcome",
  /** The gRPC status name that ended an attempt, e.g. `RESOURCE_EXHAUSTED`. */
  statusCode: "wool.status_code",
  /** Why a task was rejected before it entered the docket, e.g. `hook`. */
  rejectionCause: "wool.rejection.cause",
  /** The message of a rejection: the hook's reason or the failure. */
  rejectionReason: "wool.rejection.reason",
  /** The admission verdict of a task: `accepted` or `rejected`. */
  verdict: "wool.admission.verdict",
  /** How long the backpressure hook took, in milliseconds; on spans. */
  hookDurationMs: "wool.admission.hook_duration_ms",
  /** How long the task ran after its Ack, in milliseconds; on spans. */
  runDurationMs: "wool.task.run_duration_ms",
  /** How long an attempt waited for a dispatch permit, in milliseconds. */
  permitWaitMs: "wool.permit.wait_ms",
  /** The class name of the error that ended a call or task. */
  errorType: "error.type",
});

/** The admission verdict of a task in a worker. */
export type Verdict = "accepted" | "rejected";

const FROZEN: Map<string, Map<string, Attributes>> = new Map();
const MAX_PER_KEY = 1024;

/**
 * A frozen attribute set `{ [key]: value }`, shared between calls with the
 * same pair, so recording a metric allocates nothing after the first time.
 *
 * The cache holds at most 1024 values per key (worker addresses change as
 * workers are replaced); past that it starts over for that key.
 *
 * @param key An attribute key.
 * @param value Its value.
 * @returns The shared set.
 */
export function attributesOf(key: string, value: string): Attributes {
  let byValue = FROZEN.get(key);
  if (byValue === undefined) {
    byValue = new Map();
    FROZEN.set(key, byValue);
  }
  let attributes = byValue.get(value);
  if (attributes === undefined) {
    if (byValue.size >= MAX_PER_KEY) byValue.clear();
    attributes = Object.freeze({ [key]: value });
    byValue.set(value, attributes);
  }
  return attributes;
}
