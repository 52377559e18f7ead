/**
 * Values on the wire: V8 structured serialization, so `Map`, `Set`, `Date`,
 * `BigInt`, typed arrays and cyclic graphs survive. Common values (numbers,
 * strings, booleans, `null`, `undefined`, small arrays and plain objects of
 * those) are written and read in V8's format without a V8 serializer
 * (`fast_values.ts`); everything else goes through `node:v8`. The bytes are
 * V8's format either way, so the two sides need not agree on which path
 * each took.
 *
 * @module
 */
import { describeErrorMessage } from "../_util/describe.ts";
import { deserializeValue, serializeValue } from "./fast_values.ts";
import { findUnserializable } from "./value_path.ts";

/** Serializes one value; a value V8 cannot clone is a `TypeError` naming `what`. */
export function encodeValue(value: unknown, what = "value"): Uint8Array {
  try {
    return serializeValue(value);
  } catch (error) {
    throw new TypeError(
      `Cannot serialize the ${what}: ${describeErrorMessage(error)}`,
      { cause: error },
    );
  }
}

/**
 * Deserializes bytes written by {@linkcode encodeValue}.
 *
 * The result never aliases `bytes` (the transport's, possibly reused,
 * receive buffer): the fast path builds only primitives, arrays and plain
 * objects, and the `node:v8` fallback works on a private copy — it builds
 * typed arrays as views into the bytes it is given, and Deno 2.9.3 also
 * misplaces such a view when `bytes` does not start at offset 0 of its
 * buffer.
 */
export function decodeValue(bytes: Uint8Array, what = "value"): unknown {
  try {
    return deserializeValue(bytes);
  } catch (error) {
    throw new TypeError(
      `Cannot deserialize the ${what}: ${describeErrorMessage(error)}`,
      { cause: error },
    );
  }
}

/**
 * Serializes a call's arguments. When one cannot be serialized, the
 * `TypeError` names its position and the path of the culprit inside it
 * (`args[0].a.b is a function`), so the caller knows what to fix before any
 * worker is contacted. The path is looked for only once serializing failed.
 */
export function encodeArgs(args: readonly unknown[]): Uint8Array {
  try {
    return serializeValue(args);
  } catch (error) {
    throw unserializableArgsError(args, error);
  }
}

function unserializableArgsError(
  args: readonly unknown[],
  error: unknown,
): TypeError {
  const reason = describeErrorMessage(error);
  const index = args.findIndex((arg) => !isSerializable(arg));
  if (index < 0) {
    return new TypeError(`Cannot serialize the arguments: ${reason}`, {
      cause: error,
    });
  }
  const found = findUnserializable(args[index], `args[${index}]`);
  const detail = found === undefined
    ? reason
    : `${found.path} is ${found.what} (${reason})`;
  return new TypeError(
    `Cannot serialize the argument at index ${index}: ${detail}`,
    { cause: error },
  );
}

/** Deserializes an argument list; anything but an array is a `TypeError`. */
export function decodeArgs(bytes: Uint8Array): unknown[] {
  if (bytes.length === 0) return [];
  const args = decodeValue(bytes, "arguments");
  if (!Array.isArray(args)) {
    throw new TypeError(
      `Cannot decode the arguments: expected an array, received ${typeof args}`,
    );
  }
  return args;
}

/** True when V8 can serialize `value` (a structured-clone type, no functions). */
export function isSerializable(value: unknown): boolean {
  try {
    serializeValue(value);
    return true;
  } catch {
    return false;
  }
}
