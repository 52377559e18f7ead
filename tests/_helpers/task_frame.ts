/**
 * Task frames for tests that build them by hand.
 *
 * @module
 */
import type { TaskFrame } from "../../src/wire/frames.ts";
import { PROTOCOL_VERSION } from "../../src/wire/protocol_version.ts";

/**
 * A Task frame with every field a test does not give at its default: this
 * protocol version, `add` of `file:///tasks.ts`, no arguments, no tag,
 * caller, timeout, context or trace, depth 0.
 */
export function makeTaskFrame(fields: Partial<TaskFrame> = {}): TaskFrame {
  return {
    protocolVersion: PROTOCOL_VERSION,
    id: "",
    module: "file:///tasks.ts",
    export: "add",
    args: new Uint8Array(),
    tag: "",
    caller: "",
    timeoutMs: 0,
    context: {},
    traceparent: "",
    tracestate: "",
    depth: 0,
    ...fields,
  };
}
