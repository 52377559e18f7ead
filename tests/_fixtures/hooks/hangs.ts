/**
 * A hook module whose default export never answers. It holds no timer or
 * other resource, so only the admission timeout ends the wait.
 */
import type { BackpressureHook } from "../../../src/backpressure/types.ts";

const hangs: BackpressureHook = function hangs() {
  return new Promise(() => {});
};
export default hangs;
