/**
 * Process liveness for the tests, read from `/proc` (Linux).
 *
 * A process counts as gone once `/proc/<pid>` no longer exists or shows it
 * as a zombie (state `Z`/`X`): it has exited and only waits to be reaped.
 * That matters for workers orphaned by a killed pool process: they are
 * re-parented to PID 1, and an init that does not reap (as in some
 * containers) leaves them zombies for good. `tail --pid` treats a zombie as
 * alive and would wait forever, so {@linkcode waitForExit} reads `/proc`
 * instead, at a short interval and within a bound.
 *
 * @module
 */

/** True while the process runs (exists and is not a zombie). */
export function isAlive(pid: number): boolean {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  // "<pid> (<comm>) <state> …": comm may hold spaces and parentheses.
  const state = stat.slice(
    stat.lastIndexOf(")") + 2,
    stat.lastIndexOf(")") + 3,
  );
  return state !== "Z" && state !== "X";
}

/** Interval between two reads of `/proc` while waiting for an exit. */
const EXIT_POLL_MS = 25;

/**
 * Resolves once the process has exited; rejects when it still runs after
 * `timeoutMs`. For processes this test does not own (no handle to await).
 */
export async function waitForExit(
  pid: number,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (isAlive(pid)) {
    if (performance.now() > deadline) {
      throw new Error(`Process ${pid} still runs after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, EXIT_POLL_MS));
  }
}
