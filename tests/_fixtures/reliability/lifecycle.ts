/**
 * Task routines for the crash and close tests.
 *
 * @module
 */
import { report, waitAtGate } from "../tasks.ts";

/**
 * Reports the worker's pid to the inbox on `inboxPort`, waits at the
 * test's gate on `gatePort`, then returns the pid.
 */
export async function pidAtGate(
  gatePort: number,
  inboxPort: number,
): Promise<number> {
  await report(inboxPort, String(Deno.pid));
  await waitAtGate(gatePort, null);
  return Deno.pid;
}
