/**
 * The context of the task that is running: its id and its own abort signal,
 * carried through `await`s with `AsyncLocalStorage`.
 *
 * The storage lives on a global symbol, so task code that imports
 * `@wool/core` through another path (an import map, a registry) still sees
 * the context the worker set.
 *
 * `src/task/` is the layer below both sides of the wire, for what task code
 * and both sides share: the worker runs each routine in its context, the
 * pool reads it to name the caller of a call made from inside a task, and
 * task code reads its signal. It imports neither side.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { WoolError } from "../errors.ts";
import type { TaskPool } from "./task_pool.ts";

/** What a running task can read about itself. */
export interface TaskContext {
  /** The task's id. */
  readonly id: string;
  /** Aborted when the caller cancels the task or its time runs out. */
  readonly signal: AbortSignal;
  /**
   * The pool the task was dispatched from, for nested calls (see
   * `currentPool()`); absent where the runner gives none.
   */
  readonly pool?: TaskPool;
}

const STORAGE_KEY = Symbol.for("@wool/core/task-context");

function storage(): AsyncLocalStorage<TaskContext> {
  const holder = globalThis as unknown as Record<
    symbol,
    AsyncLocalStorage<TaskContext> | undefined
  >;
  return holder[STORAGE_KEY] ??= new AsyncLocalStorage<TaskContext>();
}

/** Runs `fn` as the body of the task described by `context`. */
export function runInTaskContext<T>(context: TaskContext, fn: () => T): T {
  return storage().run(context, fn);
}

/** The context of the task running now, if any. */
export function currentTaskContext(): TaskContext | undefined {
  return storage().getStore();
}

/**
 * The abort signal of the task that is running: it aborts when the caller
 * aborts the call's `signal`, when the call's `timeoutMs` runs out, or when
 * the pool closes. Cancellation is cooperative: pass the signal to what the
 * task awaits (`fetch`, timers, streams), or check it between steps.
 *
 * Task code imports it from `@wool/core/task` (`@wool/core` exports it
 * too).
 *
 * @returns The running task's `AbortSignal`.
 * @throws {NoRunningTask} when called outside a running task.
 *
 * @example Stopping work when the caller gives up
 * ```ts
 * import { taskSignal } from "@wool/core/task";
 *
 * export async function crawl(urls: string[]): Promise<number> {
 *   const signal = taskSignal();
 *   let bytes = 0;
 *   for (const url of urls) {
 *     const response = await fetch(url, { signal });
 *     bytes += (await response.arrayBuffer()).byteLength;
 *   }
 *   return bytes;
 * }
 * ```
 */
export function taskSignal(): AbortSignal {
  const context = currentTaskContext();
  if (context === undefined) {
    throw new NoRunningTask("taskSignal()", "the task signal");
  }
  return context.signal;
}

/**
 * Something only a running task has was asked for outside one: e.g.
 * `taskSignal()` called at a module's top level, or in the caller's process.
 *
 * @example Calling taskSignal() outside a task
 * ```ts
 * import { NoRunningTask, taskSignal } from "@wool/core/task";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => taskSignal(), NoRunningTask);
 * ```
 */
export class NoRunningTask extends WoolError {
  /**
   * Builds the error.
   *
   * @param what What was called, e.g. `"taskSignal()"`.
   * @param wanted What it gives, e.g. `"the task signal"`.
   */
  constructor(what: string, wanted = "the task signal") {
    super(
      `Cannot read ${wanted}: ${what} was called outside a running task`,
    );
  }
}
