/**
 * Task routines that start processes of their own, for the process group
 * tests: each starts `sleep 60` and leaves it running, as a task that
 * shells out and never waits would.
 *
 * @module
 */
import { report } from "../tasks.ts";

/** The pids a task reports: its worker's, and its child's. */
export interface Pids {
  readonly worker: number;
  readonly child: number;
}

/**
 * Starts `sleep 60` and returns its pid; through `/bin/sh -c "exec sleep
 * 60"` when `viaShell` (for a worker allowed to run `/bin/sh` only).
 */
function startSleep(viaShell = false): number {
  const [command, args] = viaShell
    ? ["/bin/sh", ["-c", "exec sleep 60"]]
    : ["sleep", ["60"]];
  const child = new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  return child.pid;
}

/** Starts `sleep 60` (see `startSleep`), leaves it running, returns the pids. */
export function startChild(viaShell = false): Pids {
  return { worker: Deno.pid, child: startSleep(viaShell) };
}

/**
 * Starts `sleep 60`, sends `"<worker pid> <child pid>"` to the test's inbox
 * on `inboxPort`, then never yields the event loop again: the worker sees
 * neither its stdin closing nor any RPC.
 */
export async function childThenSpin(inboxPort: number): Promise<never> {
  const child = startSleep();
  await report(inboxPort, `${Deno.pid} ${child}`);
  while (true) {
    // Burns the worker's only thread; only its process dying ends this.
  }
}
