/**
 * The transports a pool can dispatch over; the dispatch suites run once
 * per entry, so both carry every per-task behaviour.
 *
 * @module
 */
import type { Transport } from "../../mod.ts";

/** Every transport: `"session"` (multiplexed) and `"dispatch"` (a stream per task). */
export const TRANSPORTS: readonly Transport[] = Object.freeze([
  "session",
  "dispatch",
]);
