/**
 * A hook module whose default export rejects nested calls deeper than 1,
 * naming the depth it saw: it reads `ctx.task.depth` and `ctx.task.caller`.
 */
import type { BackpressureHook } from "../../../src/backpressure/types.ts";

const rejectDeep: BackpressureHook = function rejectDeep(ctx) {
  const { depth, caller } = ctx.task;
  if (depth === undefined) return caller === undefined ? false : true;
  if (depth <= 1) return false;
  return { reject: true, reason: `depth ${depth} from ${caller}` };
};
export default rejectDeep;
