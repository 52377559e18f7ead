/**
 * Where a value V8 cannot serialize sits inside a larger one: `args[0].a.b`
 * for a function nested in an object, `args[1].get("k")` for a symbol in a
 * `Map` value. Only called once serializing has failed, so the happy path
 * pays nothing for it.
 *
 * The walk follows what V8 serializes: array elements and own enumerable
 * string-keyed properties of arrays and objects (class instances included,
 * as V8 copies them as plain objects), `Map` keys and values, `Set`
 * elements, and an error's `cause`. Any other object (a `Date`, a typed
 * array, a `WeakMap`, a `SharedArrayBuffer`) is tried on its own. It keeps
 * its own stack rather than recursing, so a value too deep for V8 is too
 * deep for nothing here, and visits each object once, so cycles end.
 *
 * Paths read as JavaScript where they can: `.name` for an identifier,
 * `["a key"]` otherwise, `[3]` for an element, `.get(key)` for a `Map`
 * value under a primitive key; `.keys()[i]`, `.values()[i]` for the `i`-th
 * key or value of a `Map` and element of a `Set` otherwise.
 *
 * @module
 */
import { serialize } from "node:v8";
import { isProxy } from "node:util/types";
import { describeKind } from "../_util/describe.ts";

/** A value that cannot be serialized, and where it is. */
export interface Unserializable {
  /** Its path from the root, e.g. `args[0].a.b`. */
  readonly path: string;
  /** What it is: `a function`, `a symbol`, `a WeakMap`, … */
  readonly what: string;
}

/** One value met on the walk, and the step from its parent, for its path. */
interface Visit {
  readonly value: unknown;
  readonly parent: Visit | undefined;
  readonly step: string;
}

/** The value of a property whose getter threw when it was read. */
const GETTER_THREW: unique symbol = Symbol("getter threw");

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const INDEX = /^(?:0|[1-9]\d*)$/;

/**
 * Finds a part of `value` that V8 cannot serialize.
 *
 * @param value The value serializing failed on.
 * @param root The name of `value` itself in the path, e.g. `args[0]`.
 * @returns The first such part found (depth first, in V8's order), or
 * `undefined` when no single part is to blame (e.g. the value is too deep as
 * a whole).
 */
export function findUnserializable(
  value: unknown,
  root: string,
): Unserializable | undefined {
  const seen = new Set<object>();
  const stack: Visit[] = [{ value, parent: undefined, step: root }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const problem = problemOf(visit.value, seen);
    if (problem === "walk") {
      const children = childrenOf(visit);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    } else if (problem !== undefined) {
      return { path: pathOf(visit), what: problem };
    }
  }
  return undefined;
}

/**
 * What is wrong with `value` on its own: a description, `"walk"` for a
 * container to look inside, or `undefined` when it serializes (or was
 * looked at already).
 */
function problemOf(value: unknown, seen: Set<object>): string | undefined {
  if (value === GETTER_THREW) return "a property whose getter throws";
  if (typeof value === "function" || typeof value === "symbol") {
    return describeKind(value);
  }
  if (typeof value !== "object" || value === null) return undefined;
  if (seen.has(value)) return undefined;
  seen.add(value);
  if (isProxy(value)) return "a Proxy";
  if (isContainer(value)) return "walk";
  try {
    serialize(value);
    return undefined;
  } catch {
    return describeKind(value);
  }
}

function isContainer(value: object): boolean {
  if (Array.isArray(value) || value instanceof Map || value instanceof Set) {
    return true;
  }
  const tag = Object.prototype.toString.call(value);
  return tag === "[object Object]" || tag === "[object Error]";
}

/** The parts of a container V8 would serialize, in its order. */
function childrenOf(visit: Visit): Visit[] {
  const value = visit.value as object;
  const children: Visit[] = [];
  const add = (child: unknown, step: string) =>
    children.push({ value: child, parent: visit, step });
  if (value instanceof Map) {
    let i = 0;
    for (const [key, entry] of value) {
      add(key, `.keys()[${i}]`);
      add(
        entry,
        isPrimitive(key) ? `.get(${keyText(key)})` : `.values()[${i}]`,
      );
      i++;
    }
  } else if (value instanceof Set) {
    let i = 0;
    for (const element of value) add(element, `.values()[${i++}]`);
  } else if (value instanceof Error) {
    if (Object.hasOwn(value, "cause")) add(read(value, "cause"), ".cause");
  } else {
    const array = Array.isArray(value);
    for (const key of Object.keys(value)) {
      const step = array && INDEX.test(key)
        ? `[${key}]`
        : IDENTIFIER.test(key)
        ? `.${key}`
        : `[${JSON.stringify(key)}]`;
      add(read(value, key), step);
    }
  }
  return children;
}

function read(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return GETTER_THREW;
  }
}

function isPrimitive(value: unknown): boolean {
  return value === null ||
    (typeof value !== "object" && typeof value !== "function");
}

function keyText(key: unknown): string {
  switch (typeof key) {
    case "string":
      return JSON.stringify(key);
    case "bigint":
      return `${key}n`;
    case "symbol":
      return key.toString();
    default:
      return String(key);
  }
}

function pathOf(visit: Visit): string {
  const steps: string[] = [];
  for (let at: Visit | undefined = visit; at; at = at.parent) {
    steps.push(at.step);
  }
  return steps.reverse().join("");
}
