/** A hook module whose default export rejects every task. */
import type { BackpressureHook } from "../../../src/backpressure/types.ts";

const rejectAll: BackpressureHook = function rejectAll() {
  return true;
};
export default rejectAll;
