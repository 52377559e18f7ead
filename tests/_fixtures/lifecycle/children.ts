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

function startSleep(): number {
  const child = new Deno.Command("sleep", {
    args: ["60"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  return child.pid;
}

/** Starts `sleep 60`, leaves it running, and returns the pids. */
export function startChild(): Pids {
  return { worker: Deno.pid, child: startSleep() };
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
