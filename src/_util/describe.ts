/**
 * Private helpers that put an arbitrary value into an error message. They
 * never throw, whatever the value (null-prototype objects, throwing getters,
 * revoked proxies).
 *
 * @module
 */

const MAX_STRING_CHARS = 60;

/**
 * Describes a value's kind with its article: `undefined`, `null`,
 * `a string`, `a number`, `a bigint`, `a boolean`, `a symbol`,
 * `a function`, `an array`, `an object`, or `a Map` (its class name).
 */
export function describeKind(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "undefined":
      return "undefined";
    case "function":
      return "a function";
    case "object":
      return describeObjectKind(value);
    default:
      return withArticle(typeof value);
  }
}

/**
 * Describes a value as a message shows it: primitives as written in source
 * (a string quoted and cut at 60 characters, a bigint with its `n`), any
 * other value by its kind (see {@linkcode describeKind}).
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(
        value.length > MAX_STRING_CHARS
          ? `${value.slice(0, MAX_STRING_CHARS)}…`
          : value,
      );
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "boolean":
      return String(value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return safely(() => value.toString(), "a symbol");
    default:
      return describeKind(value);
  }
}

/**
 * Describes a thrown value: an error as `Name: message` (or `Name` when the
 * message is empty), any other value as {@linkcode describeValue} shows it.
 */
export function describeError(thrown: unknown): string {
  if (isError(thrown)) {
    const name = safely(() => String(thrown.name), "Error");
    const message = safely(() => String(thrown.message), "");
    return message === "" ? name : `${name}: ${message}`;
  }
  return describeValue(thrown);
}

/**
 * The message of a thrown value: an error's `message` (its name when the
 * message is empty), any other value as {@linkcode describeValue} shows it.
 */
export function describeErrorMessage(thrown: unknown): string {
  if (isError(thrown)) {
    const message = safely(() => String(thrown.message), "");
    return message === "" ? describeError(thrown) : message;
  }
  return describeError(thrown);
}

function isError(value: unknown): value is Error {
  return safely(() => value instanceof Error, false);
}

function describeObjectKind(value: object): string {
  if (safely(() => Array.isArray(value), false)) return "an array";
  const proto = safely(() => Object.getPrototypeOf(value), null);
  if (proto === null || proto === Object.prototype) return "an object";
  const name = safely(() => {
    const ctor = (proto as { constructor?: unknown }).constructor;
    return typeof ctor === "function" && typeof ctor.name === "string"
      ? ctor.name
      : "";
  }, "");
  return name === "" ? "an object" : withArticle(name);
}

function withArticle(noun: string): string {
  return /^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
