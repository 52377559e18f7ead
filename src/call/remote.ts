/**
 * `remote()`: the one sanctioned `Proxy` of the library. Export names exist
 * only in the task module's type, so a `get` trap turns each property into
 * a function that dispatches that export. `dispatch()` works without it.
 *
 * @module
 */
import type { RemoteCall } from "./remote_call.ts";

/**
 * The typed view of a task module: each exported function becomes a
 * function of the same parameters returning a {@linkcode RemoteCall}.
 *
 * @typeParam T The task module's type, `typeof import("./tasks.ts")`.
 */
export type Remote<T> = {
  readonly [
    K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never
  ]: T[K] extends (...args: infer A) => infer R ? (...args: A) => RemoteCall<R>
    : never;
};

/** Builds the proxy; `call(exportName, args)` dispatches one call. */
export function createRemote<T>(
  call: (exportName: string, args: unknown[]) => RemoteCall<unknown>,
): Remote<T> {
  const functions = new Map<
    string,
    (...args: unknown[]) => RemoteCall<unknown>
  >();
  return new Proxy(Object.freeze({}), {
    get(_target, property) {
      if (typeof property !== "string" || property === "then") return undefined;
      let fn = functions.get(property);
      if (!fn) {
        fn = (...args: unknown[]) => call(property, args);
        functions.set(property, fn);
      }
      return fn;
    },
  }) as Remote<T>;
}
