/**
 * Tasks for a pool traced by Deno's built-in OpenTelemetry: `add` starts a
 * span of its own through the API, which Deno's context manager makes a
 * child of wool's task span; `hold` keeps its worker busy while it streams.
 *
 * @module
 */
import { trace } from "../../../src/telemetry/otel_api.ts";

/** Adds, inside a span of its own. */
export function add(a: number, b: number): number {
  return trace.getTracer("traced-tasks").startActiveSpan(
    "add.inner",
    (span) => {
      span.end();
      return a + b;
    },
  );
}

/** Yields forever, one value per pull: its worker is busy while it streams. */
export async function* hold(): AsyncGenerator<number> {
  for (let i = 0;; i++) yield await Promise.resolve(i);
}
