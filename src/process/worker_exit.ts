/**
 * How a worker process ended, as its exit watch reports it.
 *
 * @module
 */
import type { ExitCause } from "./exit_cause.ts";

/** How a worker process ended. */
export interface WorkerExit {
  /** The exit code (for a process ended by a signal, as Deno reports it). */
  readonly code: number;
  /** The signal that ended the process, or `null` when it exited itself. */
  readonly signal: Deno.Signal | null;
  /**
   * Why it died, when its stderr said (V8 ran out of memory); `undefined`
   * otherwise.
   */
  readonly cause?: ExitCause;
}
