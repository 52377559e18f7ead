/**
 * `remote()`: the one sanctioned `Proxy` of the library. Export names exist
 * only in the task module's type, so a `get` trap turns each property into
 * a function that dispatches that export. `dispatch()` works without it.
 *
 * @module
 */
import {
  type DispatchCall,
  type RemoteOptions,
  validateModule,
  validateRemoteOptions,
} from "./dispatch_call.ts";
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

/** What {@linkcode remoteOf} dispatches through: a pool's `dispatch`. */
export interface Dispatches {
  dispatch<R = unknown>(call: DispatchCall): RemoteCall<R>;
}

/**
 * The proxy `remote(module, options)` returns, for the pool and for a
 * task's view of it alike: `module` and `options` are checked now, and
 * each call carries the options.
 *
 * @throws {TypeError} / {RangeError} for a module or options of the wrong
 * type or range.
 */
export function remoteOf<T>(
  pool: Dispatches,
  module: string | URL,
  options: RemoteOptions,
): Remote<T> {
  validateModule(module, "make a remote");
  const { signal, timeoutMs, tag } = validateRemoteOptions(options);
  return createRemote<T>((exportName, args) =>
    pool.dispatch({
      module,
      export: exportName,
      args,
      signal,
      timeoutMs,
      tag,
    })
  );
}
