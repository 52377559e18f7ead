/**
 * Loads a worker's backpressure hook once, at start-up, before the worker
 * reports ready. Every way a {@linkcode HookSpec} can fail to yield a hook
 * becomes a {@linkcode HookLoadError} naming the module, the export and the
 * cause, which the worker reports so `WorkerPool.start` fails.
 *
 * @module
 */
import type { HookSpec } from "../wire/launch.ts";
import {
  type NormalizedHook,
  normalizeHook,
  type NormalizeHookOptions,
} from "./hook_object.ts";
import { resolveModuleSpecifier } from "../_util/specifier.ts";
import { HookLoadError } from "./errors.ts";
import {
  describeErrorMessage,
  describeKind,
  describeValue,
} from "../_util/describe.ts";

/**
 * Imports the spec's module and returns its hook: the named export itself,
 * or, when the spec has `options`, the hook its factory returns when called
 * once with them. Either may be a hook function or a hook object
 * (`{ admit, settled? }`, see `hook_object.ts`); the result is normalized.
 *
 * A relative or absolute-path module specifier resolves against the current
 * directory; any other specifier is passed to `import()` as is.
 *
 * @param spec The normalised hook spec.
 * @param options Where errors thrown by the hook's `settled` go.
 * @returns The hook, normalized.
 * @throws {HookLoadError} when the module fails to import, has no such
 * export, the export is neither a function nor a hook object, or the
 * factory throws or returns something other than a hook.
 */
export async function loadBackpressureHook(
  spec: HookSpec,
  options: NormalizeHookOptions = {},
): Promise<NormalizedHook> {
  const resolved = resolveModuleSpecifier(spec.module);
  function fail(detail: string, cause: unknown): never {
    throw createHookLoadError(spec, resolved, detail, cause);
  }

  let namespace: Record<string, unknown>;
  try {
    namespace = await import(resolved);
  } catch (error) {
    return fail(
      `the module failed to import: ${describeErrorMessage(error)}`,
      error,
    );
  }

  if (!(spec.export in namespace)) {
    const names = Object.keys(namespace);
    const detail = `the module has no export "${spec.export}" (exports: ${
      names.length === 0 ? "none" : names.join(", ")
    })`;
    return fail(detail, new TypeError(detail));
  }
  let exported: unknown;
  try {
    exported = namespace[spec.export];
  } catch (error) {
    // An export read before its module finished evaluating (a cycle).
    return fail(
      `the export could not be read: ${describeErrorMessage(error)}`,
      error,
    );
  }
  if (spec.options === undefined) {
    if (typeof exported !== "function" && !isHookObject(exported)) {
      const detail = `the export is ${
        describeKind(exported)
      }, not a function or a hook object with admit(ctx)`;
      return fail(detail, new TypeError(detail));
    }
    return normalize(exported, options, fail);
  }
  if (typeof exported !== "function") {
    const detail = `the export is ${
      describeKind(exported)
    }, not a function (a factory, since options are given)`;
    return fail(detail, new TypeError(detail));
  }

  let hook: unknown;
  try {
    hook = exported(spec.options);
  } catch (error) {
    return fail(`the factory threw: ${describeErrorMessage(error)}`, error);
  }
  if (typeof hook !== "function" && !isHookObject(hook)) {
    const detail = `the factory returned ${
      describeValue(hook)
    }, not a hook function or a hook object with admit(ctx)`;
    return fail(detail, new TypeError(detail));
  }
  return normalize(hook, options, fail);
}

function isHookObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && "admit" in value;
}

function normalize(
  loaded: unknown,
  options: NormalizeHookOptions,
  fail: (detail: string, cause: unknown) => never,
): NormalizedHook {
  try {
    return normalizeHook(loaded, options);
  } catch (error) {
    return fail(describeErrorMessage(error), error);
  }
}

function createHookLoadError(
  spec: HookSpec,
  resolved: string,
  detail: string,
  cause: unknown,
): HookLoadError {
  const from = resolved === spec.module
    ? JSON.stringify(spec.module)
    : `${JSON.stringify(spec.module)} (${resolved})`;
  return new HookLoadError(
    `Cannot load backpressure hook "${spec.export}" from ${from}: ${detail}`,
    { module: spec.module, export: spec.export, cause },
  );
}
