/**
 * Normalises the three forms of `BackpressureSpec` into the one
 * {@linkcode HookSpec} a worker receives in its config.
 *
 * A hook is named by module specifier, never passed as a function: hooks run
 * in worker processes, and closures cannot cross process boundaries. The
 * module is kept as given (a URL as its `href`); the worker's hook loader
 * resolves it. A relative specifier is refused: a worker could not tell
 * what it is relative to (`import.meta.resolve` it).
 *
 * @module
 */
import type { HookSpec, JsonValue } from "../wire/launch.ts";
import {
  isRelativeSpecifier,
  relativeSpecifierAdvice,
} from "../_util/specifier.ts";
import {
  describeError,
  describeKind,
  describeValue,
} from "../_util/describe.ts";

const PREFIX = "Cannot start worker pool: ";
const SPEC_FORMS = "a string, a URL, or { module, export?, options? }";
const CLOSURE_NOTE =
  "hooks run in worker processes, and closures cannot cross process boundaries";
const SPEC_KEYS: ReadonlySet<string> = new Set(["module", "export", "options"]);
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Turns the `backpressure` pool option into the {@linkcode HookSpec} sent to
 * each worker, or `null` when no hook is given.
 *
 * - `undefined` or `null`: `null` (every task is accepted).
 * - A string or URL: that module's `default` export.
 * - `{ module, export?, options? }`: the named export (`default` when
 *   omitted); with `options`, the export is a factory called with them.
 *
 * @param spec The `backpressure` option as the user passed it.
 * @returns The normalised spec, or `null` for no hook.
 * @throws {TypeError} when `spec` is a function (hooks must be module
 * specifiers), an empty or relative string, an object with a missing or
 * wrong `module`,
 * a wrong `export`, `options` that are not a JSON value, or unknown keys, or
 * any other type.
 */
export function normalizeBackpressureSpec(spec: unknown): HookSpec | null {
  if (spec === undefined || spec === null) return null;
  if (typeof spec === "string") {
    return Object.freeze({
      module: checkModuleString(spec, "backpressure"),
      export: "default",
    });
  }
  if (spec instanceof URL) {
    return Object.freeze({ module: spec.href, export: "default" });
  }
  if (typeof spec === "function") {
    throw new TypeError(
      `${PREFIX}"backpressure" must be a module specifier (${SPEC_FORMS}), received a function: ${CLOSURE_NOTE}`,
    );
  }
  if (isPlainObject(spec)) return normalizeSpecObject(spec);
  throw new TypeError(
    `${PREFIX}"backpressure" must be a module specifier (${SPEC_FORMS}), received ${
      describeValue(spec)
    }`,
  );
}

function normalizeSpecObject(spec: Record<PropertyKey, unknown>): HookSpec {
  const unknownKeys = Reflect.ownKeys(spec).filter((key) =>
    typeof key !== "string" || !SPEC_KEYS.has(key)
  );
  if (unknownKeys.length > 0) {
    const names = unknownKeys.map((key) =>
      typeof key === "string" ? JSON.stringify(key) : String(key)
    ).join(", ");
    throw new TypeError(
      `${PREFIX}"backpressure" has unknown ${
        unknownKeys.length === 1 ? "key" : "keys"
      } ${names}: expected module, export?, options?`,
    );
  }
  const module = normalizeModule(spec.module);
  const exportName = normalizeExport(spec.export);
  if (spec.options === undefined) {
    return Object.freeze({ module, export: exportName });
  }
  const options = checkJsonValue(spec.options, "backpressure.options");
  return Object.freeze({ module, export: exportName, options });
}

function normalizeModule(module: unknown): string {
  if (typeof module === "string") {
    return checkModuleString(module, "backpressure.module");
  }
  if (module instanceof URL) return module.href;
  if (typeof module === "function") {
    throw new TypeError(
      `${PREFIX}"backpressure.module" must be a module specifier (a string or a URL), received a function: ${CLOSURE_NOTE}`,
    );
  }
  throw new TypeError(
    `${PREFIX}"backpressure.module" must be a module specifier (a string or a URL), received ${
      describeValue(module)
    }`,
  );
}

function normalizeExport(exportName: unknown): string {
  if (exportName === undefined) return "default";
  if (typeof exportName === "string" && exportName !== "") return exportName;
  throw new TypeError(
    `${PREFIX}"backpressure.export" must be a non-empty string, received ${
      describeValue(exportName)
    }`,
  );
}

function checkModuleString(module: string, option: string): string {
  if (module === "") {
    throw new TypeError(
      `${PREFIX}"${option}" must be a non-empty module specifier, received ""`,
    );
  }
  if (isRelativeSpecifier(module)) {
    throw new TypeError(
      `${PREFIX}"${option}" must be absolute: ${
        relativeSpecifierAdvice(module)
      }`,
    );
  }
  return module;
}

function checkJsonValue(value: unknown, option: string): JsonValue {
  let problem: Problem | undefined;
  try {
    problem = findNonJson(value, option, new Set());
  } catch (error) {
    // A proxy trap or a structure too deep to walk: JSON could not carry it.
    problem = { what: `a value that cannot be read (${describeError(error)})` };
  }
  if (problem === undefined) return value as JsonValue;
  const where = problem.path === undefined || problem.path === option
    ? ""
    : ` at ${problem.path}`;
  throw new TypeError(
    `${PREFIX}"${option}" must be a JSON value, received ${problem.what}${where}`,
  );
}

interface Problem {
  readonly what: string;
  readonly path?: string;
}

/**
 * Finds the first part of `value` that a JSON round trip would not preserve:
 * anything but null, booleans, strings, finite numbers, dense plain arrays
 * and plain objects with enumerable string-keyed data properties, or a
 * cycle.
 */
function findNonJson(
  value: unknown,
  path: string,
  ancestors: Set<object>,
): Problem | undefined {
  if (value === null) return undefined;
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value)
        ? undefined
        : { what: describeValue(value), path };
    case "object":
      break;
    default:
      return { what: describeValue(value), path };
  }
  const object = value as object;
  if (ancestors.has(object)) return { what: "a cycle", path };
  ancestors.add(object);
  const problem = Array.isArray(object)
    ? findNonJsonInArray(object, path, ancestors)
    : findNonJsonInObject(object, path, ancestors);
  ancestors.delete(object);
  return problem;
}

function findNonJsonInArray(
  array: unknown[],
  path: string,
  ancestors: Set<object>,
): Problem | undefined {
  if (Object.getPrototypeOf(array) !== Array.prototype) {
    return { what: describeKind(array), path };
  }
  if (Reflect.ownKeys(array).length !== array.length + 1) {
    return { what: "an array with holes or extra properties", path };
  }
  for (let i = 0; i < array.length; i++) {
    const problem = findNonJson(array[i], `${path}[${i}]`, ancestors);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function findNonJsonInObject(
  object: object,
  path: string,
  ancestors: Set<object>,
): Problem | undefined {
  if (!isPlainObject(object)) return { what: describeKind(object), path };
  for (const key of Reflect.ownKeys(object)) {
    if (typeof key === "symbol") {
      return { what: `a symbol key ${String(key)}`, path };
    }
    const keyPath = IDENTIFIER.test(key)
      ? `${path}.${key}`
      : `${path}[${JSON.stringify(key)}]`;
    const descriptor = Object.getOwnPropertyDescriptor(object, key)!;
    if (!descriptor.enumerable) {
      return { what: "a non-enumerable property", path: keyPath };
    }
    if (!("value" in descriptor)) {
      return { what: "an accessor property", path: keyPath };
    }
    const problem = findNonJson(descriptor.value, keyPath, ancestors);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<PropertyKey, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
