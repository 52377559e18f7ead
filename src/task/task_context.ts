/**
 * The context of the task that is running: its id and its own abort signal,
 * and the values of the context variables in force, carried through
 * `await`s with one `AsyncLocalStorage` whose store is a
 * {@linkcode TaskScope}.
 *
 * One storage, not one for the task and one for the variables: a worker
 * enters one scope per task (and per generator step), and each scope
 * entered is a frame every promise made inside it keeps; the task's own
 * object is its scope, and a task whose caller set no variable allocates
 * nothing for them.
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

/**
 * One scope of the storage: the task running in it, if any, and the
 * values of the context variables there (`context_var.ts` reads and
 * writes them). A worker runs each task in a scope of its own, each
 * `ContextVar.run()` enters a new one, and outside every scope code runs
 * in the process's root scope.
 */
export interface TaskScope {
  /** The task running in this scope; `undefined` outside every task. */
  readonly task: TaskContext | undefined;
  /**
   * The context variables' values, by name; `undefined` until one has a
   * value in this scope.
   */
  vars: Map<string, unknown> | undefined;
}

/** The storage and the process's root scope, shared by every copy. */
interface Storage {
  readonly scopes: AsyncLocalStorage<TaskScope>;
  readonly root: TaskScope;
}

const STORAGE_KEY = Symbol.for("@wool/core/task-scope");

const STORAGE: Storage = (globalThis as unknown as Record<
  symbol,
  Storage | undefined
>)[STORAGE_KEY] ??= {
  scopes: new AsyncLocalStorage<TaskScope>(),
  root: { task: undefined, vars: new Map() },
};

/** Runs `fn` in `scope`: as the body of its task, with its variables. */
export function runInTaskScope<T>(scope: TaskScope, fn: () => T): T {
  return STORAGE.scopes.run(scope, fn);
}

/** The scope code runs in now; the root scope outside every other. */
export function currentTaskScope(): TaskScope {
  return STORAGE.scopes.getStore() ?? STORAGE.root;
}

/** The context of the task running now, if any. */
export function currentTaskContext(): TaskContext | undefined {
  return STORAGE.scopes.getStore()?.task;
}

/**
 * The abort signal of the task that is running: it aborts when the caller
 * aborts the call's `signal`, when the call's `timeoutMs` runs out, or when
 * the pool closes; and on the worker's side when the worker stops before
 * the task finished (a drain's grace ran out) or ends the task's stream for
 * an error. Its `reason` says which. Cancellation is cooperative: pass the
 * signal to what the task awaits (`fetch`, timers, streams), or check it
 * between steps.
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
