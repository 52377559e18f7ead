/**
 * The low-level call shape of `pool.dispatch()`, and its validation.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";
import {
  isRelativeSpecifier,
  relativeSpecifierAdvice,
} from "../_util/specifier.ts";
import { MAX_TIMER_MS as MAX_DURATION_MS } from "../_util/timeout.ts";

/**
 * One call of an export of a task module, as `pool.dispatch()` takes it.
 *
 * @example Calling an export by name
 * ```ts
 * import { type DispatchCall, WorkerPool } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * await using pool = await WorkerPool.start({ spawn: 1 });
 * const call: DispatchCall = {
 *   module: "data:text/javascript,export const twice = async (x) => 2 * x",
 *   export: "twice",
 *   args: [21],
 *   timeoutMs: 10_000,
 * };
 * assert.equal(await pool.dispatch(call), 42);
 * ```
 */
export interface DispatchCall {
  /**
   * The task module's specifier: absolute, e.g.
   * `import.meta.resolve("./tasks.ts")`, a `URL`, a bare name of your
   * import map, or an `npm:`/`jsr:`/`https:` specifier. A relative one
   * (`"./tasks.ts"`) is refused: a worker could not tell what it is
   * relative to.
   */
  readonly module: string | URL;
  /** The name of the exported function or async generator function. */
  readonly export: string;
  /**
   * Its arguments: any values V8 can serialize.
   * @default {[]}
   */
  readonly args?: readonly unknown[];
  /** Aborting it cancels the call: it rejects at once with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Milliseconds the call may take in all; then it rejects with
   * `DispatchTimeout` and the task is cancelled.
   */
  readonly timeoutMs?: number;
  /** A label the worker's backpressure hook sees as `ctx.task.tag`. */
  readonly tag?: string;
}

/**
 * Validates a dispatch call.
 *
 * @throws {TypeError} naming the field with the wrong type, or a relative
 * `module`.
 * @throws {RangeError} for a `timeoutMs` that is not a positive finite number
 * of at most `MAX_DURATION_MS` (2³¹ - 1).
 */
export function validateDispatchCall(call: DispatchCall): DispatchCall {
  if (call === null || typeof call !== "object") {
    throw new TypeError(
      `Cannot dispatch: the call must be an object, received ${
        describeValue(call)
      }`,
    );
  }
  const { module, export: exportName, args } = call;
  validateModule(module, "dispatch");
  if (typeof exportName !== "string" || exportName === "") {
    throw new TypeError(
      `Cannot dispatch: "export" must be a non-empty string, received ${
        describeValue(exportName)
      }`,
    );
  }
  if (args !== undefined && !Array.isArray(args)) {
    throw new TypeError(
      `Cannot dispatch: "args" must be an array, received ${
        describeValue(args)
      }`,
    );
  }
  validateCallOptions(call, "dispatch");
  return call;
}

/**
 * What every call made through a `pool.remote()` proxy carries.
 *
 * @example A proxy whose calls each get 5 seconds and a tag
 * ```ts
 * import { WorkerPool } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * await using pool = await WorkerPool.start({ spawn: 1 });
 * const tasks = pool.remote<{ twice(x: number): Promise<number> }>(
 *   "data:text/javascript,export const twice = async (x) => 2 * x",
 *   { timeoutMs: 5_000, tag: "interactive" },
 * );
 * assert.equal(await tasks.twice(21), 42);
 * ```
 */
export type RemoteOptions = Pick<DispatchCall, "signal" | "timeoutMs" | "tag">;

/**
 * Validates the options of `pool.remote()`.
 *
 * @throws {TypeError} naming the option with the wrong type.
 * @throws {RangeError} for a `timeoutMs` out of range.
 */
export function validateRemoteOptions(options: RemoteOptions): RemoteOptions {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `Cannot make a remote: options must be an object, received ${
        describeValue(options)
      }`,
    );
  }
  for (const key of Object.keys(options)) {
    if (key !== "signal" && key !== "timeoutMs" && key !== "tag") {
      throw new TypeError(
        `Cannot make a remote: unknown option ${
          JSON.stringify(key)
        } (known: signal, timeoutMs, tag)`,
      );
    }
  }
  validateCallOptions(options, "make a remote");
  return options;
}

/**
 * Validates the task module of a call (`action` starts the message): a
 * non-empty string or a URL, not relative.
 *
 * @throws {TypeError} naming `module` and, for a relative specifier, what to
 * pass instead.
 */
export function validateModule(module: unknown, action: string): void {
  if (
    !(module instanceof URL) && (typeof module !== "string" || module === "")
  ) {
    throw new TypeError(
      `Cannot ${action}: "module" must be a module specifier (a non-empty string or a URL), received ${
        describeValue(module)
      }`,
    );
  }
  if (typeof module === "string" && isRelativeSpecifier(module)) {
    throw new TypeError(
      `Cannot ${action}: "module" must be absolute: ${
        relativeSpecifierAdvice(module)
      }`,
    );
  }
}

/** Checks `signal`, `timeoutMs` and `tag`; `action` starts each message. */
function validateCallOptions(options: RemoteOptions, action: string): void {
  const { signal, timeoutMs, tag } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(
      `Cannot ${action}: "signal" must be an AbortSignal, received ${
        describeValue(signal)
      }`,
    );
  }
  if (timeoutMs !== undefined) {
    if (typeof timeoutMs !== "number") {
      throw new TypeError(
        `Cannot ${action}: "timeoutMs" must be a number, received ${
          describeValue(timeoutMs)
        }`,
      );
    }
    if (
      !Number.isFinite(timeoutMs) || timeoutMs <= 0 ||
      timeoutMs > MAX_DURATION_MS
    ) {
      throw new RangeError(
        `Cannot ${action}: "timeoutMs" must be a finite number > 0 and ≤ ${MAX_DURATION_MS}, received ${timeoutMs}`,
      );
    }
  }
  if (tag !== undefined && typeof tag !== "string") {
    throw new TypeError(
      `Cannot ${action}: "tag" must be a string, received ${
        describeValue(tag)
      }`,
    );
  }
}

/** Names a call in errors: its export and module, as given. */
export function describeDispatchCall(call: DispatchCall): string {
  if (call === null || typeof call !== "object") return "the call";
  const module = call.module instanceof URL
    ? call.module.href
    : String(call.module);
  return `"${String(call.export)}" from "${module}"`;
}
