/** A hook module whose default export accepts every task. */
import type { BackpressureHook } from "../../../src/backpressure/types.ts";

const acceptAll: BackpressureHook = function acceptAll() {
  return false;
};
export default acceptAll;
