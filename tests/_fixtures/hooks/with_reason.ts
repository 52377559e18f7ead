/** A hook module whose default export rejects every task with a reason. */
import type { BackpressureHook } from "../../../src/backpressure/types.ts";

const busy: BackpressureHook = function busy() {
  return { reject: true, reason: "busy" };
};
export default busy;
