/**
 * Context variables on the wire: the Task frame's `context` map holds each
 * variable the caller had set, by name, its value V8-serialized as an
 * argument is (`values.ts`). The caller encodes the record
 * `captureContext()` took at call time; the worker decodes it into the
 * frozen record a hook sees as `ctx.task.context` and a task runs in.
 *
 * @module
 */
import { describeErrorMessage } from "../_util/describe.ts";
import { decodeValue, encodeValue } from "./values.ts";

/** The context of a call made with no context variable set. */
const NO_VALUES: Record<string, Uint8Array> = Object.freeze({});

/**
 * Serializes each variable of `snapshot` for the Task frame.
 *
 * @param snapshot The variables' values by name, as `captureContext()`
 * returns them.
 * @returns Each value's bytes, by name (a shared empty record for none).
 * @throws {TypeError} naming the variable whose value cannot be serialized.
 */
export function encodeContext(
  snapshot: Readonly<Record<string, unknown>>,
): Record<string, Uint8Array> {
  const names = Object.keys(snapshot);
  if (names.length === 0) return NO_VALUES;
  const encoded: Record<string, Uint8Array> = {};
  for (const name of names) {
    const value = encodeValue(
      snapshot[name],
      `context variable ${JSON.stringify(name)}`,
    );
    Object.defineProperty(encoded, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return encoded;
}

/** How many bytes the encoded context adds to a Task frame's payload. */
export function contextBytes(
  encoded: Readonly<Record<string, Uint8Array>>,
): number {
  let size = 0;
  for (const [name, value] of Object.entries(encoded)) {
    size += name.length * 3 + value.length;
  }
  return size;
}

/**
 * Deserializes a Task frame's `context` map into a frozen record of
 * values by name.
 *
 * @param encoded The map as the codec decoded it.
 * @returns The frozen record; `undefined` when the map is empty.
 * @throws {TypeError} naming the variable whose bytes cannot be decoded.
 */
export function decodeContext(
  encoded: Readonly<Record<string, Uint8Array>> | undefined,
): Readonly<Record<string, unknown>> | undefined {
  if (encoded === undefined) return undefined;
  const names = Object.keys(encoded);
  if (names.length === 0) return undefined;
  const values: Record<string, unknown> = {};
  for (const name of names) {
    let value: unknown;
    try {
      value = decodeValue(encoded[name]);
    } catch (error) {
      throw new TypeError(
        `Cannot decode context variable ${JSON.stringify(name)}: ${
          describeErrorMessage(error)
        }`,
        { cause: error },
      );
    }
    // defineProperty, so even "__proto__" stays a variable.
    Object.defineProperty(values, name, {
      value,
      enumerable: true,
      writable: false,
      configurable: false,
    });
  }
  return Object.freeze(values);
}
