/**
 * Reads common values from V8's value serialization format (version 15,
 * what `node:v8` `serialize` writes) without a V8 deserializer: the tags
 * `v8_fast_encode.ts` writes — `undefined`, `null`, booleans, small
 * integers (`I`, and `U`), doubles, one- and two-byte strings, plain
 * objects and dense arrays — plus sparse arrays (V8 writes one for an
 * array it keeps holey, even with no hole) and the padding V8 puts before
 * two-byte strings. Anything else (another version, a back-reference, a
 * hole in a dense array, a dense array with named properties, a `Map`, a
 * typed array,
 * a truncated or malformed value, …) answers {@linkcode UNDECODED}, and
 * the caller deserializes with `node:v8` as before: that fallback sees the
 * same bytes and does exactly what it always did, errors included.
 *
 * Objects are built as V8's deserializer builds them: own data
 * properties in the order written (a key `__proto__` included, defined
 * rather than assigned), integer keys from numbers, and `Object.prototype`
 * as the prototype. Bytes trailing the value are ignored, as `deserialize`
 * ignores them.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { V8_FORMAT_VERSION } from "./v8_fast_encode.ts";

/** What {@linkcode tryDecodeV8} answers for bytes it leaves to `node:v8`. */
export const UNDECODED: unique symbol = Symbol("UNDECODED");

/** Deepest nesting decoded here; deeper values go to `node:v8`. */
const MAX_DEPTH = 64;
/** Strings up to this many bytes are decoded by a JavaScript loop. */
const LOOP_MAX = 16;

const bufferLatin1Slice = (Buffer.prototype as unknown as {
  latin1Slice?: (this: Uint8Array, start: number, end: number) => string;
}).latin1Slice;

const EMPTY = new Uint8Array(0);
let buf: Uint8Array = EMPTY;
/** A view of `buf` for reading doubles, made when the first one comes. */
let view: DataView | undefined;
let pos = 0;
let end = 0;
let failed = false;

/**
 * The value `bytes` hold, or {@linkcode UNDECODED} when they are not one
 * of the common values this reads.
 */
export function tryDecodeV8(bytes: Uint8Array): unknown {
  buf = bytes;
  pos = 0;
  end = bytes.length;
  failed = false;
  if (end < 3 || bytes[0] !== 0xff || bytes[1] !== V8_FORMAT_VERSION) {
    return release(UNDECODED);
  }
  pos = 2;
  const value = readValue(0);
  return release(failed ? UNDECODED : value);
}

/** Drops the references to the input, so it can be collected. */
function release<T>(value: T): T {
  buf = EMPTY;
  view = undefined;
  return value;
}

function fail(): undefined {
  failed = true;
  return undefined;
}

/** The next tag, past any padding; -1 at the end of the input. */
function tag(): number {
  while (pos < end && buf[pos] === 0x00) pos++;
  return pos < end ? buf[pos++] : -1;
}

function readValue(depth: number): unknown {
  switch (tag()) {
    case 0x5f: // _
      return undefined;
    case 0x30: // 0
      return null;
    case 0x54: // T
      return true;
    case 0x46: // F
      return false;
    case 0x49: { // I: zigzag int32
      const n = varint();
      return (n >>> 1) ^ -(n & 1);
    }
    case 0x55: // U: uint32
      return varint();
    case 0x4e: // N: double
      return double();
    case 0x22: // ": Latin-1
      return latin1();
    case 0x63: // c: UTF-16LE
      return utf16();
    case 0x6f: // o: object
      return depth < MAX_DEPTH ? readObject(depth) : fail();
    case 0x41: // A: dense array
      return depth < MAX_DEPTH ? readArray(depth) : fail();
    case 0x61: // a: sparse array
      return depth < MAX_DEPTH ? readSparseArray(depth) : fail();
    default:
      return fail();
  }
}

function readObject(depth: number): unknown {
  const object: Record<string, unknown> = {};
  const count = readProperties(object, 0x7b, depth);
  if (failed) return undefined;
  // `{`, then the property count.
  return varint() === count ? object : fail();
}

/**
 * A sparse array (V8 writes one for an array with holes, or for one it
 * keeps holey): its length, then its elements and other properties as
 * key/value pairs; absent indices stay holes.
 */
function readSparseArray(depth: number): unknown {
  const length = varint();
  if (failed) return undefined;
  const array = new Array<unknown>(length);
  const count = readProperties(
    array as unknown as Record<string, unknown>,
    0x40,
    depth,
    true,
  );
  if (failed) return undefined;
  // `@`, then the property count and the length again.
  return varint() === count && varint() === length ? array : fail();
}

/**
 * Reads key/value pairs into `target` until the tag `end`; returns how
 * many there were. An array's `length` key is left to V8 (setting it can
 * throw, and this must not), and a repeated key fails, as it does in V8.
 */
function readProperties(
  target: Record<string, unknown>,
  end: number,
  depth: number,
  array = false,
): number {
  let count = 0;
  for (;;) {
    const t = tag();
    let key: string;
    switch (t) {
      case end:
        return count;
      case 0x49: {
        const n = varint();
        key = String((n >>> 1) ^ -(n & 1));
        break;
      }
      case 0x55:
        key = String(varint());
        break;
      case 0x4e:
        key = String(double());
        break;
      case 0x22:
        key = latin1();
        break;
      case 0x63:
        key = utf16();
        break;
      default:
        fail();
        return count;
    }
    // V8 refuses a key that comes twice (`0` and `"0"` are one key).
    if (failed || (array && key === "length") || Object.hasOwn(target, key)) {
      fail();
      return count;
    }
    const value = readValue(depth + 1);
    if (failed) return count;
    if (key === "__proto__") {
      Object.defineProperty(target, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else target[key] = value;
    count++;
  }
}

function readArray(depth: number): unknown {
  const length = varint();
  // Every element takes at least one byte: a longer length is malformed.
  if (failed || length > end - pos) return fail();
  const array: unknown[] = [];
  for (let i = 0; i < length; i++) {
    const value = readValue(depth + 1);
    if (failed) return undefined;
    array.push(value);
  }
  // `$`, no named properties, and the length again.
  if (tag() !== 0x24 || varint() !== 0 || varint() !== length) return fail();
  return failed ? undefined : array;
}

function varint(): number {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= end) return fail() ?? 0;
    const b = buf[pos++];
    value |= (b & 127) << shift;
    if (b < 0x80) return value >>> 0;
  }
  return fail() ?? 0;
}

function double(): number {
  if (end - pos < 8) return fail() ?? 0;
  view ??= new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = view.getFloat64(pos, true);
  pos += 8;
  return n;
}

function latin1(): string {
  const length = varint();
  if (failed || length > end - pos) return fail() ?? "";
  const start = pos;
  pos += length;
  if (length > LOOP_MAX && bufferLatin1Slice) {
    return bufferLatin1Slice.call(buf, start, pos);
  }
  let s = "";
  for (let i = start; i < pos; i++) s += String.fromCharCode(buf[i]);
  return s;
}

function utf16(): string {
  const length = varint();
  if (failed || length > end - pos || (length & 1) !== 0) return fail() ?? "";
  const start = pos;
  pos += length;
  let s = "";
  const units: number[] = [];
  for (let i = start; i < pos; i += 2) {
    units.push(buf[i] | (buf[i + 1] << 8));
    if (units.length === 4096) {
      s += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return s + String.fromCharCode(...units);
}
