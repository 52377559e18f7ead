/** A hook that records every context it sees in {@linkcode seen}, and accepts. */
import type {
  BackpressureContext,
  BackpressureHook,
} from "../../../src/backpressure/types.ts";

/** The contexts the hook saw, in order. Tests empty it with `seen.length = 0`. */
export const seen: BackpressureContext[] = [];

const records: BackpressureHook = function records(ctx) {
  seen.push(ctx);
  return false;
};
export default records;
