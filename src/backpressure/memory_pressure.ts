/**
 * The `memoryPressure` built-in hook factory.
 *
 * @module
 */
import type { BackpressureHook, Verdict } from "./types.ts";
import { checkOptionsObject, checkPositiveInteger } from "./_options.ts";

const MIB = 1024 * 1024;

/** Options of {@linkcode memoryPressure}. */
export interface MemoryPressureOptions {
  /**
   * Resident set size, in bytes, above which the worker admits no new task.
   * A positive integer; there is no default.
   */
  readonly maxRssBytes: number;
}

/**
 * Makes a hook that sheds load while a worker uses too much memory: it
 * rejects an incoming task while the worker process's resident set size
 * (`Deno.memoryUsage().rss`) is above `maxRssBytes`, with a reason naming
 * both sizes in MiB, such as `RSS 612.4 MiB is above the limit of 512.0 MiB`.
 *
 * Running tasks are not affected: they keep going, and the worker admits
 * tasks again once its memory falls back under the limit.
 *
 * @param options The limit, as `{ maxRssBytes }`.
 * @returns The hook.
 * @throws {TypeError} when `options` is not an object, has an unknown key,
 * or `maxRssBytes` is not a number.
 * @throws {RangeError} when `maxRssBytes` is not a positive integer.
 *
 * @example Admitting tasks only while under the limit
 * ```ts
 * import { memoryPressure } from "@wool/core/backpressure";
 * import assert from "node:assert/strict";
 *
 * const task = { id: "t1", module: "file:///tasks.ts", export: "add", args: [] };
 * const roomy = memoryPressure({ maxRssBytes: Number.MAX_SAFE_INTEGER });
 * const tight = memoryPressure({ maxRssBytes: 1 });
 *
 * assert.equal(roomy({ activeTaskCount: 0, task }), false);
 * const verdict = tight({ activeTaskCount: 0, task });
 * assert.ok(typeof verdict === "object" && "reject" in verdict && verdict.reject);
 * ```
 */
export function memoryPressure(
  options: MemoryPressureOptions,
): BackpressureHook {
  const checked = checkOptionsObject(
    "memoryPressure",
    options,
    ["maxRssBytes"],
    "{ maxRssBytes: 512 * 1024 * 1024 }",
  );
  const maxRssBytes = checkPositiveInteger(
    "memoryPressure",
    "maxRssBytes",
    checked.maxRssBytes,
  );
  return function memoryPressureHook(): Verdict {
    const rss = Deno.memoryUsage().rss;
    if (rss <= maxRssBytes) return false;
    return {
      reject: true,
      reason: `RSS ${formatMib(rss)} is above the limit of ${
        formatMib(maxRssBytes)
      }`,
    };
  };
}

function formatMib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}
