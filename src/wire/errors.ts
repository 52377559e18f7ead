/**
 * Errors on the wire. A thrown value becomes an {@linkcode ErrorRecord}
 * (name, message, stack, cause, own enumerable properties), serialized with
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
  /** Own enumerable properties that could be serialized (e.g. `code`). */
  readonly props?: Readonly<Record<string, unknown>>;
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
  for (const key of Object.keys(thrown)) {
    if (key === "name" || key === "message" || key === "stack") continue;
    if (key === "cause") continue;
    let value: unknown;
    try {
      value = (thrown as unknown as Record<string, unknown>)[key];
    } catch {
      continue; // A getter that throws: there is nothing to carry.
    }
    if (isSerializable(value)) props[key] = value;
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
  for (const [key, value] of Object.entries(record.props ?? {})) {
    if (key in error) continue;
    (error as unknown as Record<string, unknown>)[key] = value;
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
