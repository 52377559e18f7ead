/**
 * Keeps a worker serving when task code leaves an error no one handles (a
 * rejection, or a throw in a timer or a microtask): it is reported on
 * stderr, and the other tasks the worker runs are not cut short.
 *
 * @module
 */
import { writeAll } from "../_util/write_all.ts";

const encoder = new TextEncoder();

/**
 * Reports every unhandled rejection and uncaught exception on stderr,
 * labelled with `label` (`wool worker w1`, `wool-worker`), instead of
 * letting it end the process.
 */
export function keepAliveOnStrayErrors(label: string): void {
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    report(label, "unhandled rejection", event.reason);
  });
  globalThis.addEventListener("error", (event) => {
    event.preventDefault();
    report(label, "uncaught exception", event.error);
  });
}

function report(label: string, what: string, error: unknown): void {
  let text: string;
  try {
    text = error instanceof Error
      ? error.stack ?? error.message
      : String(error);
  } catch {
    text = "a value that cannot be printed";
  }
  void writeAll(
    Deno.stderr,
    encoder.encode(`${label}: ${what} in task code: ${text}\n`),
  );
}
