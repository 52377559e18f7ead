/** A hook module whose default export is async and rejects. */
import type { BackpressureHook } from "../../../src/backpressure/types.ts";

const rejects: BackpressureHook = async function rejects() {
  await Promise.resolve();
  throw new RangeError("async boom");
};
export default rejects;
