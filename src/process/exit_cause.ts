/**
 * Why a worker process died, when its stderr says: V8 ran out of memory.
 *
 * V8 reports a fatal out-of-memory error on stderr, then aborts the process
 * (`SIGTRAP` on Linux and macOS, exit code 133 in a shell):
 *
 * ```text
 * #
 * # Fatal JavaScript out of memory: Reached heap limit
 * #
 * ==== C stack trace ===============================
 * ```
 *
 * "JavaScript" when the heap reached its limit (`--max-old-space-size`,
 * `worker.resourceLimits`, or V8's default), "process" when V8 could not
 * get memory it needs outside that heap. The report line is matched as each stderr
 * line passes ({@linkcode ExitClassifier.observe}): the C stack trace after
 * it can be longer than the tail of stderr a worker keeps. This module is
 * the only place that reads that text.
 *
 * @module
 */
import type { ResourceLimits } from "./resource_limits.ts";

/** V8's report of a fatal out-of-memory error: which memory, and its words. */
const OUT_OF_MEMORY = /^# Fatal (JavaScript|process) out of memory: (.*)$/;

/** Why a worker process died, as its output told. */
export interface ExitCause {
  /** V8 ran out of memory and aborted the process. */
  readonly kind: "out-of-memory";
  /**
   * `"heap"`: the JavaScript heap reached its limit; `"process"`: V8 could
   * not get memory it needs outside that heap.
   */
  readonly memory: "heap" | "process";
  /** V8's words, e.g. `"Reached heap limit"`. */
  readonly detail: string;
}

/**
 * Reads a worker's stderr as it passes, and says why the worker died once
 * it has exited.
 */
export class ExitClassifier {
  #outOfMemory: ExitCause | undefined;

  /**
   * Sees one line of the worker's stderr (without its line break); an
   * `OutputRelay` line hook.
   *
   * @param line The line.
   * @returns `false`: the line is relayed all the same.
   */
  readonly observe = (line: string): boolean => {
    if (this.#outOfMemory === undefined && line.startsWith("# Fatal ")) {
      const match = OUT_OF_MEMORY.exec(line);
      if (match) {
        this.#outOfMemory = Object.freeze({
          kind: "out-of-memory",
          memory: match[1] === "JavaScript" ? "heap" : "process",
          detail: match[2].trim(),
        });
      }
    }
    return false;
  };

  /** Whether stderr held a fatal report already: nothing more to read for it. */
  get reported(): boolean {
    return this.#outOfMemory !== undefined;
  }

  /**
   * Why the process ended as it did.
   *
   * @param exit How it ended.
   * @returns The cause when the process did not exit successfully and its
   * stderr reported V8 out of memory; otherwise `undefined` (a process that
   * printed the report and exited 0 was not killed by it).
   */
  classify(
    exit: { readonly code: number; readonly signal: Deno.Signal | null },
  ): ExitCause | undefined {
    const failed = exit.signal !== null || exit.code !== 0;
    return failed ? this.#outOfMemory : undefined;
  }
}

/**
 * The words for a cause, after how the process ended: e.g. `it ran out of
 * memory (V8: "Reached heap limit"; worker.resourceLimits.maxOldGenerationSizeMb is 64)`.
 *
 * @param cause From {@linkcode ExitClassifier.classify}.
 * @param limits The worker's `resourceLimits`, when it had any: the heap
 * limit set there is named (one set otherwise, e.g. in `worker.args`, is
 * not known here).
 * @returns A clause to append to `was killed by SIGTRAP: `.
 */
export function describeExitCause(
  cause: ExitCause,
  limits: ResourceLimits | undefined,
): string {
  const said = `V8: ${JSON.stringify(cause.detail)}`;
  if (cause.memory === "process") {
    return `it ran out of memory (${said}; outside the JavaScript heap, which worker.resourceLimits does not cap)`;
  }
  const limit = limits?.maxOldGenerationSizeMb;
  return limit === undefined
    ? `it ran out of memory (${said})`
    : `it ran out of memory (${said}; worker.resourceLimits.maxOldGenerationSizeMb is ${limit})`;
}
