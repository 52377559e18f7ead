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
 *   the same value. The storage sits on a global symbol, as the task
 *   context does. Each object keeps its own `default`.
 *
 * Task code imports {@linkcode ContextVar} and {@linkcode ContextVarUnset}
 * from `@wool/core/task`; the rest of this file is for the wire layer.
 *
 * ## What the wire layer uses
 *
 * - Caller: {@linkcode captureContext} before dispatch, which also checks
 *   that every value can be serialized with `node:v8` (a `TypeError` naming
 *   the variable otherwise); the record travels in the Task frame.
 * - Worker: {@linkcode createContextScope} with the record received, and
 *   `scope.run(...)` around the routine call and around every generator
 *   step (a generator resumes in its resumer's context, so each step must
 *   re-enter the scope; the scope keeps the task's own `set`s between
 *   steps). {@linkcode runWithContext} does both at once for one call.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { serialize } from "node:v8";
import { WoolError } from "../errors.ts";

/** The values of one context, by variable name. */
type Values = Map<string, unknown>;

interface Registry {
  readonly storage: AsyncLocalStorage<Values>;
  readonly root: Values;
}

const REGISTRY_KEY = Symbol.for("@wool/core/context-vars");

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  return holder[REGISTRY_KEY] ??= {
    storage: new AsyncLocalStorage<Values>(),
    root: new Map(),
  };
}

function currentValues(): Values {
  const { storage, root } = registry();
  return storage.getStore() ?? root;
}

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
    const values = currentValues();
    if (values.has(this.name)) return values.get(this.name) as T;
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
    return currentValues().has(this.name);
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
    currentValues().set(this.name, value);
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
    const values = new Map(currentValues());
    values.set(this.name, value);
    return registry().storage.run(values, fn);
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
  const entries = [...currentValues()];
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
 * A context made from a captured record, to run a task in: each
 * {@linkcode ContextScope.run} enters the same context, so what the task
 * sets in one step it still sees in the next.
 *
 * @example Running in a scope
 * ```ts
 * import { type ContextScope, createContextScope } from "./context_var.ts";
 * import assert from "node:assert/strict";
 *
 * const scope: ContextScope = createContextScope({ attempt: 1 });
 * assert.equal(scope.run(() => 42), 42);
 * ```
 */
export interface ContextScope {
  /** Runs `fn` in this scope's context. */
  run<R>(fn: () => R): R;
}

/**
 * Makes a {@linkcode ContextScope} holding exactly the variables of
 * `snapshot` (a record from {@linkcode captureContext}, as the worker
 * receives it), in a context of its own.
 *
 * @param snapshot The variables' values by name.
 * @returns The scope.
 *
 * @example Running two steps of a task in one scope
 * ```ts
 * import { ContextVar, createContextScope } from "./context_var.ts";
 * import assert from "node:assert/strict";
 *
 * const count = new ContextVar<number>("count");
 * const scope = createContextScope({ count: 1 });
 * scope.run(() => count.set(count.get() + 1));
 * assert.equal(scope.run(() => count.get()), 2);
 * assert.equal(count.isSet(), false);
 * ```
 */
export function createContextScope(
  snapshot: Readonly<Record<string, unknown>>,
): ContextScope {
  const values: Values = new Map(Object.entries(snapshot));
  const { storage } = registry();
  return Object.freeze({
    run<R>(fn: () => R): R {
      return storage.run(values, fn);
    },
  });
}

/**
 * Runs `fn` in a fresh context holding exactly the variables of
 * `snapshot`: `createContextScope(snapshot).run(fn)`.
 *
 * @typeParam R What `fn` returns.
 * @param snapshot The variables' values by name.
 * @param fn What to run.
 * @returns What `fn` returns.
 *
 * @example Running a task with its caller's context
 * ```ts
 * import { ContextVar, runWithContext } from "./context_var.ts";
 * import assert from "node:assert/strict";
 *
 * const tenant = new ContextVar<string>("tenant");
 * assert.equal(runWithContext({ tenant: "acme" }, () => tenant.get()), "acme");
 * ```
 */
export function runWithContext<R>(
  snapshot: Readonly<Record<string, unknown>>,
  fn: () => R,
): R {
  return createContextScope(snapshot).run(fn);
}
