/**
 * A worker's process group: the worker and every process its tasks start.
 *
 * On Unix a worker is spawned `detached`, which puts it in a new session
 * and process group whose id is its pid; the processes its tasks start
 * inherit that group. A signal sent to the group (`kill(-pgid)`) reaches
 * all of them, so ending the group ends everything the worker started,
 * whatever the worker's own permissions. Only a process that leaves the
 * group itself (`setsid`, a daemon) escapes it.
 *
 * When the worker has exited, {@linkcode ProcessGroup.end} kills what is
 * left of its group. A process group id cannot be reused while the group
 * has a member, so once the group is empty the id is forgotten and never
 * signalled again.
 *
 * Where groups are not available the group is the worker alone:
 *
 * - Windows has no process groups: the worker is not detached, and a
 *   signal reaches the worker only.
 * - Signalling a group needs `Deno.kill`, which needs the unrestricted
 *   `run` permission (`--allow-run` or `-A`). With a narrower grant a
 *   signal reaches the worker only, and what is left of the group when the
 *   worker exits is killed by the pool's reaper (which needs `run` of
 *   `/bin/sh`), or, without one, left running.
 *
 * @module
 */

/** Whether workers are spawned in a process group of their own. */
export const SPAWNS_IN_OWN_GROUP: boolean = Deno.build.os !== "windows";

/** Tells a watcher (the pool's reaper) which groups are live. */
export interface GroupWatcher {
  /** A group started: end it if the pool dies. */
  watch(pgid: number): void;
  /**
   * A group's leader has exited: kill the rest of the group (asked only
   * when this process may not signal groups itself).
   */
  kill(pgid: number): void;
  /** A group ended: never signal it again. */
  forget(pgid: number): void;
}

let groupSignals: boolean | undefined;

/** Whether this process may signal a whole group (once known, cached). */
function maySignalGroups(): boolean {
  groupSignals ??= SPAWNS_IN_OWN_GROUP &&
    Deno.permissions.querySync({ name: "run" }).state === "granted";
  return groupSignals;
}

/** The process group a spawned worker leads. */
export class ProcessGroup {
  /** The group's id: the leader's pid. */
  readonly pgid: number;
  readonly #leader: Deno.ChildProcess;
  readonly #watcher: GroupWatcher | undefined;
  #ended = false;

  /**
   * Takes charge of the group `leader` (spawned detached) leads, and tells
   * `watcher` it is live.
   */
  constructor(leader: Deno.ChildProcess, watcher?: GroupWatcher) {
    this.pgid = leader.pid;
    this.#leader = leader;
    this.#watcher = SPAWNS_IN_OWN_GROUP ? watcher : undefined;
    this.#watcher?.watch(this.pgid);
  }

  /**
   * Sends `signal` to every process of the group (the leader alone where
   * groups cannot be signalled). Does nothing once the group has ended.
   */
  signal(signal: Deno.Signal): void {
    if (this.#ended) return;
    if (maySignalGroups() && signalGroup(this.pgid, signal)) return;
    try {
      this.#leader.kill(signal);
    } catch (error) {
      // The leader exited between the check and the kill.
      if (!(error instanceof TypeError)) throw error;
    }
  }

  /**
   * The leader has exited: kills what is left of its group with `SIGKILL`,
   * then tells the watcher to forget it. Idempotent.
   */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (maySignalGroups()) signalGroup(this.pgid, "SIGKILL");
    else this.#watcher?.kill(this.pgid);
    this.#watcher?.forget(this.pgid);
  }
}

/** Sends `signal` to group `pgid`; `false` when the group has no member. */
function signalGroup(pgid: number, signal: Deno.Signal): boolean {
  try {
    Deno.kill(-pgid, signal);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
