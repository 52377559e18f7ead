/** A hook module whose default export rejects every task asynchronously. */
import type { BackpressureHook } from "../../../src/backpressure/types.ts";

const asyncReject: BackpressureHook = async function asyncReject() {
  await Promise.resolve();
  return { reject: true, reason: "async busy" };
};
export default asyncReject;
