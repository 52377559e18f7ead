/**
 * V8 value serialization with a fast path for common values: numbers,
 * strings, booleans, `null`, `undefined`, and small arrays and plain
 * objects of those are written and read by `v8_fast_encode.ts` and
 * `v8_fast_decode.ts`; everything else goes through `node:v8` exactly as
 * before. The bytes are V8's format either way, so either side reads what
 * the other writes, and the wire protocol does not change.
 *
 * @module
 */
import { deserialize, serialize } from "node:v8";
import { tryEncodeV8 } from "./v8_fast_encode.ts";
import { tryDecodeV8, UNDECODED } from "./v8_fast_decode.ts";

/**
 * `serialize(value)`, faster for common values.
 *
 * @throws whatever `node:v8` `serialize` throws for `value`.
 */
export function serializeValue(value: unknown): Uint8Array {
  return tryEncodeV8(value) ?? serialize(value);
}

/**
 * `deserialize(bytes)`, faster for common values. The fallback works on a
 * private copy: `node:v8` builds typed arrays as views into the bytes it
 * is given, which belong to the transport.
 *
 * @throws whatever `node:v8` `deserialize` throws for `bytes`.
 */
export function deserializeValue(bytes: Uint8Array): unknown {
  const value = tryDecodeV8(bytes);
  return value === UNDECODED ? deserialize(new Uint8Array(bytes)) : value;
}
