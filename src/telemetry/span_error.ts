/**
 * How wool marks a span that ended in failure, the same way on both sides.
 *
 * @module
 */
import { type Span, SpanStatusCode } from "./otel_api.ts";
import { WOOL_ATTRIBUTES } from "./attributes.ts";

/**
 * Marks a span as failed: status `ERROR`; `error.type` set to the error's
 * class name (or to `outcome` when there is no error object); and, for an
 * `Error`, the standard `exception` event with its message and stack.
 *
 * @param span The span; it is not ended here.
 * @param outcome What ended it (`"error"`, `"timeout"`, …).
 * @param error The error, if any.
 */
export function recordSpanError(
  span: Span,
  outcome: string,
  error: unknown,
): void {
  if (error instanceof Error) {
    span.setAttribute(WOOL_ATTRIBUTES.errorType, error.name);
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    return;
  }
  span.setAttribute(WOOL_ATTRIBUTES.errorType, outcome);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error === undefined ? outcome : String(error),
  });
}
