/**
 * Process liveness and process groups for the tests, read from `/proc`
 * (Linux), for processes a test learned of but does not own.
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

/** The fields of `/proc/<pid>/stat` after the command name, or `undefined`. */
function statFields(pid: number): string[] | undefined {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  // "<pid> (<comm>) <state> <ppid> <pgrp> …": comm may hold spaces and
  // parentheses.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** True while the process runs (exists and is not a zombie). */
export function isAlive(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== "Z" && state !== "X";
}

/**
 * The running processes (zombies left out) whose `field` is `value`, read
 * from every `/proc/<pid>/stat`.
 */
function runningWhere(field: "ppid" | "pgrp", value: number): number[] {
  const index = field === "ppid" ? 1 : 2;
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid)) continue;
    let fields: string[] | undefined;
    try {
      fields = statFields(pid);
    } catch {
      continue; // Gone, or not ours to read, between the listing and the read.
    }
    if (fields === undefined || fields[0] === "Z" || fields[0] === "X") {
      continue;
    }
    if (Number(fields[index]) === value) pids.push(pid);
  }
  return pids;
}

/** The running members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return runningWhere("pgrp", pgid);
}

/** The running children of process `pid`. */
export function childrenOf(pid: number): number[] {
  return runningWhere("ppid", pid);
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
  await until(() => !isAlive(pid), timeoutMs, `Process ${pid} still runs`);
}

/**
 * Resolves once process group `pgid` has no running member; rejects, naming
 * the members, when it still has one after `timeoutMs`.
 */
export async function waitForGroupEnd(
  pgid: number,
  timeoutMs = 30_000,
): Promise<void> {
  await until(
    () => groupMembers(pgid).length === 0,
    timeoutMs,
    `Process group ${pgid} still has members`,
    () => ` (${groupMembers(pgid).join(", ")})`,
  );
}

async function until(
  done: () => boolean,
  timeoutMs: number,
  what: string,
  detail: () => string = () => "",
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) {
      throw new Error(`${what} after ${timeoutMs} ms${detail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, EXIT_POLL_MS));
  }
}
