/**
 * The `worker.resourceLimits` option: caps on a worker's V8 heap and stack,
 * named as Node's `Worker` and Piscina name them, validated once and turned
 * into the one `--v8-flags=` argument of the default `deno run` launch.
 *
 * | option                     | V8 flag                   | how                                   |
 * | -------------------------- | ------------------------- | ------------------------------------- |
 * | `maxOldGenerationSizeMb`   | `--max-old-space-size`    | as given, in MiB                      |
 * | `maxYoungGenerationSizeMb` | `--max-semi-space-size`   | a third, rounded, at least 1 (MiB)    |
 * | `stackSizeMb`              | `--stack-size`            | × 1024, rounded, at least 1 (KiB)     |
 *
 * Node hands the young generation's size to V8
 * (`ResourceConstraints::set_max_young_generation_size_in_bytes`), which
 * makes it three semi-spaces for its scavenger (two semi-spaces and a
 * new large-object space of the same size); a command line can only give
 * the semi-space, in whole MiB, so the young generation a worker gets is 3 ×
 * that rounded third.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";

/**
 * Caps on a worker's V8 heap and stack (`worker.resourceLimits`), as Node's
 * `Worker` and Piscina take them. A worker whose heap reaches its cap dies
 * (V8 aborts the process: `SIGTRAP`); its calls in flight fail with
 * `WorkerCrashed`, whose message says it ran out of memory, and the pool
 * replaces it (`respawn`). Only for the default `deno run` launch: with
 * `worker.command`, put the V8 flags in `worker.args`.
 *
 * @example Capping each worker's heap at 256 MiB
 * ```ts
 * import { type ResourceLimits, WorkerPool } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const resourceLimits: ResourceLimits = {
 *   maxOldGenerationSizeMb: 256,
 *   maxYoungGenerationSizeMb: 12,
 * };
 * await using pool = await WorkerPool.start({ spawn: 1, worker: { resourceLimits } });
 * assert.equal(pool.workers.length, 1);
 * ```
 */
export interface ResourceLimits {
  /**
   * The most memory, in MiB, of the worker's main heap (V8's old
   * generation): V8's `--max-old-space-size`. A whole number ≥ 1.
   * V8's whole heap limit (`heap_size_limit` of `node:v8`'s
   * `getHeapStatistics()`) is this plus the young generation.
   *
   * @default {V8's own, from the machine's memory}
   */
  readonly maxOldGenerationSizeMb?: number;
  /**
   * The most memory, in MiB, of the heap space for newly made objects (V8's
   * young generation): V8's `--max-semi-space-size`, a third of this
   * rounded to a whole MiB (at least 1), since V8 makes the young
   * generation of three spaces that size (two semi-spaces for its
   * scavenger and one for large new objects), as Node's own limit does. A
   * number > 0. V8 otherwise grows it with the worker's rate of
   * allocation; a small one keeps a worker that runs many short tasks
   * smaller, at the cost of more frequent scavenges.
   *
   * @default {V8's own, grown with the rate of allocation}
   */
  readonly maxYoungGenerationSizeMb?: number;
  /**
   * The most stack, in MiB, the worker's JavaScript may use before a call
   * throws `RangeError: Maximum call stack size exceeded`: V8's
   * `--stack-size`, this × 1024 in KiB (rounded, at least 1). A number > 0.
   * Keep it below the stack of the worker's main thread (`ulimit -s`,
   * usually 8 MiB on Linux): past it, deep recursion crashes the worker
   * instead of throwing.
   *
   * @default {V8's own, just under 1 MiB}
   */
  readonly stackSizeMb?: number;
}

/** The options of {@linkcode ResourceLimits}, in the order their flags go. */
const KNOWN: readonly (keyof ResourceLimits)[] = [
  "maxOldGenerationSizeMb",
  "maxYoungGenerationSizeMb",
  "stackSizeMb",
];

/**
 * Validates `worker.resourceLimits`.
 *
 * @param value The option as given.
 * @returns A frozen copy holding the limits given, or `undefined` when none
 * is (the option left out, or an empty object).
 * @throws {TypeError} when it is not an object, has an unknown key, or a
 * limit is not a number; the message names the option
 * (`worker.resourceLimits.<name>`).
 * @throws {RangeError} when a limit is not > 0 (≤ 2^53 - 1), or
 * `maxOldGenerationSizeMb` is not a whole number.
 */
export function validateResourceLimits(
  value: unknown,
): ResourceLimits | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(
      `Cannot start worker pool: "worker.resourceLimits" must be an object, received ${
        describeValue(value)
      }`,
    );
  }
  for (const key of Object.keys(value)) {
    if (!(KNOWN as readonly string[]).includes(key)) {
      throw new TypeError(
        `Cannot start worker pool: unknown option "worker.resourceLimits.${key}" (known: ${
          KNOWN.join(", ")
        })`,
      );
    }
  }
  const given = value as Record<keyof ResourceLimits, unknown>;
  const limits: { -readonly [K in keyof ResourceLimits]: number } = {};
  for (const name of KNOWN) {
    const limit = given[name];
    if (limit !== undefined) limits[name] = checkLimit(name, limit);
  }
  return Object.keys(limits).length === 0 ? undefined : Object.freeze(limits);
}

/**
 * The one `--v8-flags=` argument that sets `limits`, for `deno run`.
 *
 * @param limits From {@linkcode validateResourceLimits}.
 * @returns E.g. `--v8-flags=--max-old-space-size=64,--max-semi-space-size=4`.
 */
export function resourceLimitFlags(limits: ResourceLimits): string {
  const flags: string[] = [];
  const { maxOldGenerationSizeMb, maxYoungGenerationSizeMb, stackSizeMb } =
    limits;
  if (maxOldGenerationSizeMb !== undefined) {
    flags.push(`--max-old-space-size=${maxOldGenerationSizeMb}`);
  }
  if (maxYoungGenerationSizeMb !== undefined) {
    flags.push(
      `--max-semi-space-size=${semiSpaceSizeMb(maxYoungGenerationSizeMb)}`,
    );
  }
  if (stackSizeMb !== undefined) {
    flags.push(`--stack-size=${Math.max(1, Math.round(stackSizeMb * 1024))}`);
  }
  return `--v8-flags=${flags.join(",")}`;
}

/**
 * The semi-space size, in whole MiB, of a young generation of
 * `youngGenerationSizeMb`: a third of it (V8's scavenger makes the young
 * generation of three spaces that size), rounded, at least 1.
 */
export function semiSpaceSizeMb(youngGenerationSizeMb: number): number {
  return Math.max(1, Math.round(youngGenerationSizeMb / 3));
}

function checkLimit(name: keyof ResourceLimits, value: unknown): number {
  const option = `worker.resourceLimits.${name}`;
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot start worker pool: "${option}" must be a number of MiB, received ${
        describeValue(value)
      }`,
    );
  }
  if (name === "maxOldGenerationSizeMb") {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(
        `Cannot start worker pool: "${option}" must be a whole number of MiB ≥ 1 (V8 takes whole MiB), received ${value}`,
      );
    }
    return value;
  }
  if (!(value > 0 && value <= Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(
      `Cannot start worker pool: "${option}" must be a number of MiB > 0, received ${value}`,
    );
  }
  return value;
}
