/**
 * Errors on the wire. A thrown value becomes an {@linkcode ErrorRecord}
 * (name, message, stack, cause, own properties, enumerable or not: a
 * validation library's `issues`, Node's `code`), serialized with
 * V8; the other side rebuilds it. Built-in classes keep their class, as do
 * the runtime's own errors a worker sends (`MessageTooLarge`,
 * `TaskLoadError`, …: see `wool_errors.ts`); any other class arrives as
 * {@linkcode RemoteError} with its `name` kept.
 *
 * @module
 */
import { decodeValue, encodeValue, isSerializable } from "./values.ts";
import { ProtocolError } from "./protocol_error.ts";
import { RemoteError } from "./remote_error.ts";
import { rebuildWoolError } from "./wool_errors.ts";

/** The plain-data form of a thrown value. */
export interface ErrorRecord {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** Present when the error had a `cause`: a record when it was an error. */
  readonly cause?: { readonly error: ErrorRecord } | {
    readonly value: unknown;
  };
  /**
   * Own string-keyed properties that could be serialized (e.g. `code`,
   * `issues`), enumerable or not.
   */
  readonly props?: Readonly<Record<string, unknown>>;
  /** The keys of `props` that were not enumerable, and are not rebuilt so. */
  readonly hidden?: readonly string[];
  /** True when the thrown value was not an `Error` at all. */
  readonly thrownValue?: boolean;
}

const BUILTIN_ERRORS: Readonly<Record<string, ErrorConstructor>> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

const MAX_CAUSE_DEPTH = 16;

/** Own properties of an error a record carries in fields of their own. */
const CARRIED_APART: ReadonlySet<string> = new Set([
  "name",
  "message",
  "stack",
  "cause",
]);

/** Turns any thrown value into an {@linkcode ErrorRecord}. */
export function toErrorRecord(thrown: unknown, depth = 0): ErrorRecord {
  if (!(thrown instanceof Error)) {
    return {
      name: "Error",
      message: describeThrown(thrown),
      thrownValue: true,
      ...(isSerializable(thrown) ? { props: { value: thrown } } : {}),
    };
  }
  const props: Record<string, unknown> = {};
  const hidden: string[] = [];
  for (const key of Object.getOwnPropertyNames(thrown)) {
    if (CARRIED_APART.has(key)) continue;
    let value: unknown;
    try {
      value = (thrown as unknown as Record<string, unknown>)[key];
    } catch {
      continue; // A getter that throws: there is nothing to carry.
    }
    if (!isSerializable(value)) continue;
    // Defined, not assigned: an own "__proto__" stays a property.
    Object.defineProperty(props, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    if (!Object.prototype.propertyIsEnumerable.call(thrown, key)) {
      hidden.push(key);
    }
  }
  let cause: ErrorRecord["cause"];
  if ("cause" in thrown && depth < MAX_CAUSE_DEPTH) {
    cause = thrown.cause instanceof Error
      ? { error: toErrorRecord(thrown.cause, depth + 1) }
      : {
        value: isSerializable(thrown.cause)
          ? thrown.cause
          : stringOf(thrown.cause),
      };
  }
  return {
    name: stringOf(thrown.name),
    message: stringOf(thrown.message),
    ...(thrown.stack === undefined ? {} : { stack: stringOf(thrown.stack) }),
    ...(cause ? { cause } : {}),
    ...(Object.keys(props).length > 0 ? { props } : {}),
    ...(hidden.length > 0 ? { hidden } : {}),
  };
}

/**
 * Rebuilds an error from its record: a built-in class, one of the
 * runtime's own errors, or a `RemoteError`.
 */
export function fromErrorRecord(record: ErrorRecord): Error {
  const options: ErrorOptions = {};
  if (record.cause) {
    options.cause = "error" in record.cause
      ? fromErrorRecord(record.cause.error)
      : record.cause.value;
  }
  const Builtin = Object.hasOwn(BUILTIN_ERRORS, record.name)
    ? BUILTIN_ERRORS[record.name]
    : undefined;
  const error = rebuildWoolError(record, options) ??
    (Builtin
      ? new Builtin(record.message, options)
      : new RemoteError(record.name, record.message, options));
  if (record.stack !== undefined) {
    Object.defineProperty(error, "stack", {
      value: record.stack,
      writable: true,
      configurable: true,
    });
  }
  const hidden = new Set(record.hidden ?? []);
  for (const [key, value] of Object.entries(record.props ?? {})) {
    if (key in error) continue;
    Object.defineProperty(error, key, {
      value,
      enumerable: !hidden.has(key),
      writable: true,
      configurable: true,
    });
  }
  return error;
}

/** Serializes a thrown value for an Exception, Nack or Throw frame. */
export function encodeError(thrown: unknown): Uint8Array {
  return encodeValue(describableRecord(thrown), "error");
}

/**
 * {@linkcode toErrorRecord}, or, when reading the thrown value throws (a
 * getter or a proxy trap of a hostile error), a record saying so: an error
 * must always reach the other side, or its call would never end.
 */
function describableRecord(thrown: unknown): ErrorRecord {
  try {
    return toErrorRecord(thrown);
  } catch (failure) {
    return {
      name: "Error",
      message: `Cannot describe the thrown value: reading it threw ${
        stringOf(failure)
      }`,
      thrownValue: true,
    };
  }
}

/** Rebuilds the error carried by an Exception, Nack or Throw frame. */
export function decodeError(bytes: Uint8Array): Error {
  const record = decodeValue(bytes, "error") as ErrorRecord;
  if (record === null || typeof record !== "object" || !("name" in record)) {
    return new ProtocolError("Cannot decode the error: not an error record");
  }
  return fromErrorRecord(record);
}

/**
 * `String(value)`, or the value's tag when it cannot be printed (a
 * null-prototype object), so that encoding an error never throws.
 */
function stringOf(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function describeThrown(value: unknown): string {
  try {
    return `Non-error value thrown: ${String(value)}`;
  } catch {
    return "Non-error value thrown";
  }
}
