/** A hook module whose default export throws. */
import type { BackpressureHook } from "../../../src/backpressure/types.ts";

const throws: BackpressureHook = function throws() {
  throw new TypeError("boom");
};
export default throws;
