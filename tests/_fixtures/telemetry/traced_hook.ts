/**
 * The hook of the telemetry tests: rejects a task tagged `"never"`, and
 * any task while one is active, with a reason; accepts the rest.
 *
 * @module
 */
import type { BackpressureHook } from "../../../src/backpressure/types.ts";

const oneAtATime: BackpressureHook = function oneAtATime(ctx) {
  if (ctx.task.tag === "never") return { reject: true, reason: "tagged never" };
  if (ctx.activeTaskCount >= 1) {
    return { reject: true, reason: `${ctx.activeTaskCount} active, limit 1` };
  }
  return false;
};
export default oneAtATime;
