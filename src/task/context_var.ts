/**
 * Context variables: values that follow a call tree through `await`s, set
 * by a caller and seen by the tasks it dispatches (the `contextvars` of
 * Python, on `AsyncLocalStorage`).
 *
 * ## Semantics
 *
 * - A **context** maps variable names to values. Each
 *   {@linkcode ContextVar.run} call, and each task a worker runs, gets its
 *   own copy of the context it starts from (copy on entry): a
 *   {@linkcode ContextVar.set} inside it changes that copy only, so it is
 *   seen by the rest of that call tree (across its `await`s) and never by
 *   the caller, a sibling, or another task.
 * - Outside every `run`, variables live in the process's root context.
 * - A variable is identified by its **name**: two `ContextVar` objects with
 *   the same name (two copies of this library, two modules) read and write
 *   the same value. The values live in the task storage's scopes
 *   (`TaskScope` of `task_context.ts`), on a global symbol. Each object
 *   keeps its own `default`.
 *
 * Task code imports {@linkcode ContextVar} and {@linkcode ContextVarUnset}
 * from `@wool/core/task`; the rest of this file is for the wire layer.
 *
 * ## What the wire layer uses
 *
 * - Caller: {@linkcode captureContext} before dispatch, which also checks
 *   that every value can be serialized with `node:v8` (a `TypeError` naming
 *   the variable otherwise); the record travels in the Task frame.
 * - Worker: {@linkcode contextVars} of the record received are the `vars`
 *   of the task's scope, which `runInTaskScope()` enters around the
 *   routine call and around every generator step (a generator resumes in
 *   its resumer's context, so each step must re-enter the scope; the scope
 *   keeps the task's own `set`s between steps).
 *
 * @module
 */
import { serialize } from "node:v8";
import { WoolError } from "../errors.ts";
import { currentTaskScope, runInTaskScope } from "./task_context.ts";

/** The record of a context with no variable set. */
const NO_CONTEXT: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Options of a {@linkcode ContextVar}.
 *
 * @example A variable with a default
 * ```ts
 * import { ContextVar, type ContextVarOptions } from "@wool/core/task";
 * import assert from "node:assert/strict";
 *
 * const options: ContextVarOptions<string> = { default: "anonymous" };
 * assert.equal(new ContextVar("user-name", options).get(), "anonymous");
 * ```
 */
export interface ContextVarOptions<T> {
  /**
   * The value {@linkcode ContextVar.get} returns where the variable has
   * none. Without it, `get()` there throws.
   */
  readonly default?: T;
}

/**
 * A context variable: a value that follows a call tree through `await`s
 * and, from a pool's caller, into the tasks it dispatches.
 *
 * @typeParam T The type of its values.
 *
 * @example Setting a value for a call tree
 * ```ts
 * import { ContextVar } from "@wool/core/task";
 * import assert from "node:assert/strict";
 *
 * const tenant = new ContextVar<string>("tenant", { default: "none" });
 * async function whoAsks(): Promise<string> {
 *   await Promise.resolve();
 *   return tenant.get();
 * }
 * assert.equal(await tenant.run("acme", whoAsks), "acme");
 * assert.equal(tenant.get(), "none");
 * ```
 */
export class ContextVar<T> {
  /** The variable's name, its identity. */
  readonly name: string;
  readonly #options: ContextVarOptions<T>;

  /**
   * Declares the variable `name`.
   *
   * @param name Its name: a non-empty string, the same on every side.
   * @param options Its default.
   * @throws {TypeError} when `name` is not a non-empty string.
   */
  constructor(name: string, options: ContextVarOptions<T> = {}) {
    if (typeof name !== "string" || name === "") {
      throw new TypeError(
        `A context variable's name must be a non-empty string, received ${
          typeof name === "string" ? '""' : typeof name
        }`,
      );
    }
    this.name = name;
    this.#options = options;
  }

  /**
   * The variable's value in the current context, else its default.
   *
   * @returns The value.
   * @throws {ContextVarUnset} when it has neither.
   *
   * @example Reading with a default
   * ```ts
   * import { ContextVar } from "@wool/core/task";
   * import assert from "node:assert/strict";
   *
   * const region = new ContextVar<string>("region", { default: "eu" });
   * assert.equal(region.get(), "eu");
   * ```
   */
  get(): T {
    const vars = currentTaskScope().vars;
    if (vars?.has(this.name)) return vars.get(this.name) as T;
    if ("default" in this.#options) return this.#options.default as T;
    throw new ContextVarUnset(this.name);
  }

  /**
   * Whether the variable has a value (not its default) in this context.
   *
   * @returns `true` when a value was set or given to `run`.
   *
   * @example Telling a value from a default
   * ```ts
   * import { ContextVar } from "@wool/core/task";
   * import assert from "node:assert/strict";
   *
   * const user = new ContextVar<string>("user");
   * assert.equal(user.isSet(), false);
   * user.run("ada", () => assert.equal(user.isSet(), true));
   * ```
   */
  isSet(): boolean {
    return currentTaskScope().vars?.has(this.name) ?? false;
  }

  /**
   * Sets the variable in the current context: for the rest of this call
   * tree, never for the caller of the enclosing `run` or for other tasks.
   * Outside every `run`, it sets the process's root context.
   *
   * @param value The new value.
   *
   * @example Setting inside a run does not leak out
   * ```ts
   * import { ContextVar } from "@wool/core/task";
   * import assert from "node:assert/strict";
   *
   * const step = new ContextVar<number>("step", { default: 0 });
   * step.run(1, () => {
   *   step.set(2);
   *   assert.equal(step.get(), 2);
   * });
   * assert.equal(step.get(), 0);
   * ```
   */
  set(value: T): void {
    (currentTaskScope().vars ??= new Map()).set(this.name, value);
  }

  /**
   * Runs `fn` in a copy of the current context where the variable is
   * `value`.
   *
   * @typeParam R What `fn` returns.
   * @param value The value for the call tree.
   * @param fn What to run.
   * @returns What `fn` returns (a promise stays in the context as it runs).
   *
   * @example Nested runs
   * ```ts
   * import { ContextVar } from "@wool/core/task";
   * import assert from "node:assert/strict";
   *
   * const depth = new ContextVar<number>("depth", { default: 0 });
   * const seen = depth.run(1, () => depth.run(2, () => depth.get()));
   * assert.equal(seen, 2);
   * ```
   */
  run<R>(value: T, fn: () => R): R {
    const scope = currentTaskScope();
    const vars = new Map(scope.vars);
    vars.set(this.name, value);
    return runInTaskScope({ task: scope.task, vars }, fn);
  }
}

/**
 * {@linkcode ContextVar.get} on a variable with no value and no default.
 *
 * @example Catching it
 * ```ts
 * import { ContextVar, ContextVarUnset } from "@wool/core/task";
 * import assert from "node:assert/strict";
 *
 * const secret = new ContextVar<string>("secret");
 * assert.throws(() => secret.get(), ContextVarUnset);
 * ```
 */
export class ContextVarUnset extends WoolError {
  /** The variable's name. */
  readonly variable: string;

  /**
   * Builds the error.
   *
   * @param variable The variable's name.
   */
  constructor(variable: string) {
    super(
      `Context variable "${variable}" has no value here and no default: set it with run() or set(), or give it a default`,
    );
    this.variable = variable;
  }
}

/**
 * The values of every variable set in the current context, as a plain
 * record by name (defaults are not included: each side applies its own),
 * checked to be serializable with `node:v8`.
 *
 * @returns A frozen record.
 * @throws {TypeError} naming the variable whose value cannot be serialized.
 *
 * @example Capturing what to send with a call
 * ```ts
 * import { ContextVar, captureContext } from "./context_var.ts";
 * import assert from "node:assert/strict";
 *
 * const tenant = new ContextVar<string>("tenant");
 * const snapshot = tenant.run("acme", () => captureContext());
 * assert.deepEqual(snapshot, { tenant: "acme" });
 * ```
 */
export function captureContext(): Readonly<Record<string, unknown>> {
  const vars = currentTaskScope().vars;
  if (vars === undefined || vars.size === 0) return NO_CONTEXT;
  const entries = [...vars];
  for (const [name, value] of entries) {
    try {
      serialize(value);
    } catch (error) {
      throw new TypeError(
        `Cannot send context variable "${name}": its value cannot be serialized (${
          error instanceof Error ? error.message : String(error)
        })`,
        { cause: error },
      );
    }
  }
  // fromEntries defines properties, so even "__proto__" stays a variable.
  return Object.freeze(Object.fromEntries(entries));
}

/**
 * The values a task starts with, from the record its caller captured (as
 * the worker receives it): the `vars` of the task's scope.
 *
 * @param snapshot The variables' values by name; `undefined` for none.
 * @returns A map of its own; `undefined` when the record is empty, so a
 * task whose caller set no variable costs nothing until it sets one.
 *
 * @example Running a task's step in its scope
 * ```ts
 * import { ContextVar, contextVars } from "./context_var.ts";
 * import { runInTaskScope, type TaskScope } from "./task_context.ts";
 * import assert from "node:assert/strict";
 *
 * const count = new ContextVar<number>("count");
 * const scope: TaskScope = { task: undefined, vars: contextVars({ count: 1 }) };
 * runInTaskScope(scope, () => count.set(count.get() + 1));
 * assert.equal(runInTaskScope(scope, () => count.get()), 2);
 * assert.equal(count.isSet(), false);
 * ```
 */
export function contextVars(
  snapshot: Readonly<Record<string, unknown>> | undefined,
): Map<string, unknown> | undefined {
  if (snapshot === undefined) return undefined;
  const entries = Object.entries(snapshot);
  return entries.length === 0 ? undefined : new Map(entries);
}
