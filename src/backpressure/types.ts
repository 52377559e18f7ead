/**
 * The types of admission control: what a backpressure hook sees and what it
 * answers.
 *
 * @module
 */
import type { JsonValue } from "../wire/launch.ts";
import type { Rejection, RejectionCause } from "../wire/status.ts";

export type { JsonValue, RejectionCause };

/**
 * A read-only view of an incoming task, as a backpressure hook sees it.
 *
 * @example Reading a task's fields in a hook
 * ```ts
 * import type { BackpressureContext } from "@wool/core";
 *
 * export default function rejectHeavy(ctx: BackpressureContext): boolean {
 *   return ctx.task.tag === "heavy" && ctx.activeTaskCount > 0;
 * }
 * ```
 */
export interface Task {
  /** The task's id, unique per call. */
  readonly id: string;
  /** The module specifier the caller passed (a URL as its `href`). */
  readonly module: string;
  /** The export the caller named. */
  readonly export: string;
  /** The call's arguments, already deserialized. */
  readonly args: readonly unknown[];
  /** The tag the caller gave with the call, if any. */
  readonly tag?: string;
  /** The id of the task that dispatched this one, when dispatched from a task. */
  readonly caller?: string;
  /**
   * How deep in nested calls the task is, when it is a nested call (made
   * by a task through `currentPool()`): 1 for a call a top-level task
   * made, its depth + 1 for a call a nested task made. Absent for a call
   * made outside any task.
   */
  readonly depth?: number;
  /** Milliseconds left of the caller's time budget, when it set one. */
  readonly timeoutMs?: number;
  /**
   * The caller's context variables (`ContextVar` of `@wool/core/task`) as
   * they were when it made the call, by name: a frozen record, present
   * when the caller had at least one set. What the task itself sets is
   * not seen here.
   */
  readonly context?: Readonly<Record<string, unknown>>;
}

/**
 * The frozen snapshot a backpressure hook decides on.
 *
 * @example A hook that caps the tasks a worker runs at once
 * ```ts
 * import type { BackpressureContext } from "@wool/core";
 *
 * export default function capAtFour(ctx: BackpressureContext): boolean {
 *   return ctx.activeTaskCount >= 4;
 * }
 * ```
 */
export interface BackpressureContext {
  /**
   * Tasks in this worker's docket (running coroutines and open generator
   * streams), not counting the incoming one.
   */
  readonly activeTaskCount: number;
  /** The incoming task. */
  readonly task: Task;
}

/**
 * A hook's answer: `true` (or `{ reject: true }`) rejects the task, `false`
 * accepts it. A reason travels to the caller's `NoWorkersAvailable.causes`.
 */
export type Verdict = boolean | {
  readonly reject: boolean;
  readonly reason?: string;
};

/**
 * An admission-control hook. It runs in the worker, before the task's Ack.
 *
 * @example A hook module (its default export is the hook)
 * ```ts
 * import type { BackpressureHook } from "@wool/core";
 *
 * const hook: BackpressureHook = ({ activeTaskCount }) =>
 *   activeTaskCount >= 8 ? { reject: true, reason: "8 tasks running" } : false;
 * export default hook;
 * ```
 */
export type BackpressureHook = (
  ctx: BackpressureContext,
) => Verdict | Promise<Verdict>;

/**
 * A factory of hooks: with `options` in a {@linkcode BackpressureSpec}, the
 * worker calls it once at start-up with those options and uses the hook it
 * returns.
 *
 * @example A factory taking a limit
 * ```ts
 * import type { BackpressureHookFactory } from "@wool/core";
 *
 * export const capAt: BackpressureHookFactory<{ limit: number }> =
 *   ({ limit }) => (ctx) => ctx.activeTaskCount >= limit;
 * ```
 */
export type BackpressureHookFactory<O = JsonValue> = (
  options: O,
) => BackpressureHook;

/**
 * Names a backpressure hook by module specifier, since closures cannot cross
 * process boundaries: a string or URL (that module's `default` export), or
 * `{ module, export?, options? }` (with `options`, the export is a
 * {@linkcode BackpressureHookFactory}).
 *
 * @example The three forms
 * ```ts
 * import type { BackpressureSpec } from "@wool/core";
 *
 * const a: BackpressureSpec = "./admission.ts";
 * const b: BackpressureSpec = new URL("file:///srv/admission.ts");
 * const c: BackpressureSpec = {
 *   module: "@wool/core/backpressure",
 *   export: "maxActive",
 *   options: { limit: 8 },
 * };
 * void [a, b, c];
 * ```
 */
export type BackpressureSpec =
  | string
  | URL
  | {
    readonly module: string | URL;
    readonly export?: string;
    readonly options?: JsonValue;
  };

/**
 * The outcome of admission control for one task: a value, never an error
 * thrown through the layers.
 */
export type Admission =
  | { readonly accepted: true }
  | { readonly accepted: false } & Rejection;
