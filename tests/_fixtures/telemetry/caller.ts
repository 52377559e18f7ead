/**
 * The caller's half of a call traced across two processes: two attempts,
 * the first rejected, the second accepted. Prints the carriers of both
 * attempts as one JSON line on stdout, for `worker.ts` to read.
 *
 * @module
 */
import { startCallTelemetry } from "../../../src/telemetry/call_telemetry.ts";

const call = startCallTelemetry({
  module: "file:///app/tasks.ts",
  export: "add",
});
const first = call.startAttempt("unix:/tmp/wool-x/w1.sock");
first.permitAcquired();
const second = call.startAttempt("unix:/tmp/wool-x/w2.sock");
second.permitAcquired();
console.log(JSON.stringify([first.traceContext(), second.traceContext()]));
first.rejected({ code: "RESOURCE_EXHAUSTED", message: "limit 2" });
second.accepted();
call.end("ok");
