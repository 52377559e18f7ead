import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import {
  createTraceState,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
} from "../../../src/telemetry/otel_api.ts";
import {
  extractTraceContext,
  injectTraceContext,
  parseTraceparent,
  traceCarrierOf,
} from "../../../src/telemetry/trace_context.ts";
import { EMPTY_TRACE_CARRIER } from "../../../src/telemetry/trace_carrier.ts";

const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const SPAN_ID = "b7ad6b7169203331";

Deno.test("traceCarrierOf() writes a version-00 traceparent with two-digit flags", () => {
  assert.deepEqual(
    traceCarrierOf({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: TraceFlags.NONE,
    }),
    { traceparent: `00-${TRACE_ID}-${SPAN_ID}-00` },
  );
  assert.deepEqual(
    traceCarrierOf({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
      traceState: createTraceState("b=2,a=1"),
    }),
    { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: "b=2,a=1" },
  );
});

Deno.test("parseTraceparent() accepts W3C level-1 values and nothing else", () => {
  const valid = `00-${TRACE_ID}-${SPAN_ID}-01`;
  assert.deepEqual(parseTraceparent(valid), {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: 1,
    isRemote: true,
  });
  assert.equal(parseTraceparent(` ${valid}\t`)?.spanId, SPAN_ID);
  // A later version may carry more fields; they are ignored.
  assert.equal(
    parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-01-future`)?.traceId,
    TRACE_ID,
  );
  for (
    const invalid of [
      undefined,
      null,
      42,
      "",
      "junk",
      `ff-${TRACE_ID}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${SPAN_ID}-01-extra`,
      `00-${"0".repeat(32)}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${"0".repeat(16)}-01`,
      `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${SPAN_ID}-1`,
      `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`,
    ]
  ) {
    assert.equal(parseTraceparent(invalid), undefined, String(invalid));
  }
});

Deno.test("extractTraceContext() keeps the base context for missing or malformed carriers", () => {
  for (
    const carrier of [
      undefined,
      {},
      { traceparent: "" },
      { traceparent: "00-zz" },
      { tracestate: "a=1" },
    ]
  ) {
    assert.equal(extractTraceContext(carrier), ROOT_CONTEXT);
  }
});

Deno.test("extractTraceContext() then injectTraceContext() gives the carrier back", () => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^[0-9a-f]{32}$/).filter((id) => !/^0+$/.test(id)),
      fc.stringMatching(/^[0-9a-f]{16}$/).filter((id) => !/^0+$/.test(id)),
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom("", "a=1", "vendor=x,other=y"),
      (traceId, spanId, flags, tracestate) => {
        const traceparent = `00-${traceId}-${spanId}-${
          flags.toString(16).padStart(2, "0")
        }`;
        const carrier = tracestate ? { traceparent, tracestate } : {
          traceparent,
        };
        const parent = extractTraceContext(carrier);
        assert.equal(trace.getSpanContext(parent)?.isRemote, true);
        assert.deepEqual(injectTraceContext(parent), carrier);
      },
    ),
  );
});

Deno.test("injectTraceContext() without a span returns the shared empty carrier", () => {
  assert.equal(injectTraceContext(), EMPTY_TRACE_CARRIER);
  assert.equal(injectTraceContext(ROOT_CONTEXT), EMPTY_TRACE_CARRIER);
  assert.ok(Object.isFrozen(EMPTY_TRACE_CARRIER));
});
