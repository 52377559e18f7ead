/**
 * Writes common values in V8's value serialization format (what
 * `node:v8` `serialize` writes, version 15) without a V8 serializer:
 * `undefined`, `null`, booleans, numbers, strings, and arrays and plain
 * objects of those, a value graph of at most
 * {@linkcode MAX_FAST_OBJECTS} objects nested at most
 * {@linkcode MAX_FAST_DEPTH} deep. For anything else it answers
 * `undefined`, and the caller serializes with `node:v8` as before.
 *
 * It looks at a value without running any of its code, so giving up
 * half-way changes nothing and the fallback behaves exactly as a direct
 * `serialize` would:
 * - a proxy is never touched (`util.types.isProxy` comes first);
 * - properties are read through their descriptors (array elements after
 *   `__lookupGetter__` says they have no getter): a getter V8 would call
 *   means `undefined`, never a call;
 * - an object met twice (a shared reference or a cycle, which V8 writes as
 *   a back-reference) means `undefined`;
 * - so do holes and extra named properties in arrays, prototypes other
 *   than `Object.prototype`, `null` (for objects) and `Array.prototype`,
 *   built-in objects given one of those prototypes (see `isOrdinary`), and
 *   bigints, symbols, functions and every other object type.
 *
 * The bytes are those `serialize` writes for the same value as V8 usually
 * represents it: a number is a small integer (`I`) when it fits V8's Smi
 * range and a double (`N`) otherwise, and an array of numbers with any
 * non-Smi among them is written as doubles throughout (V8's double
 * elements). V8's internal representation can differ (an array that once
 * held a double keeps double elements; an array literal of small integers
 * and `undefined` is kept holey and written sparse; a Latin-1 string may be
 * stored two-byte), and then its bytes differ from ours, but both decode
 * to the same value: every reader of the format, V8's included, reads
 * either.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { serialize } from "node:v8";
import { types } from "node:util";

/** The serialization format version this writes (V8's current). */
export const V8_FORMAT_VERSION = 15;
/** Deepest nesting of arrays and objects written here. */
export const MAX_FAST_DEPTH = 32;
/** Most arrays and objects in one value written here. */
export const MAX_FAST_OBJECTS = 256;
/** Longest array, and most properties of an object, written here. */
const MAX_ENTRIES = 1024;
/** Longest string written here; V8 copies longer ones faster. */
const MAX_STRING = 4096;

const TAG = {
  padding: 0x00,
  undefined: 0x5f,
  null: 0x30,
  true: 0x54,
  false: 0x46,
  int32: 0x49,
  double: 0x4e,
  oneByteString: 0x22,
  twoByteString: 0x63,
  beginObject: 0x6f,
  endObject: 0x7b,
  beginDenseArray: 0x41,
  endDenseArray: 0x24,
} as const;

/** The largest Smi of this V8 build: 2³¹ - 1, or 2³⁰ - 1 with pointer compression. */
const SMI_MAX = serialize(2 ** 31 - 1)[2] === TAG.int32
  ? 2 ** 31 - 1
  : 2 ** 30 - 1;
const SMI_MIN = -SMI_MAX - 1;

const isProxy = types.isProxy;
const {
  getOwnPropertyDescriptor,
  getOwnPropertySymbols,
  getPrototypeOf,
  keys: objectKeys,
} = Object;
const objectToString = Object.prototype.toString;
const lookupGetter = (Object.prototype as unknown as {
  __lookupGetter__(this: object, key: PropertyKey): unknown;
}).__lookupGetter__;
/** Scratch buffers grown past this are dropped after their value. */
const KEEP_BYTES = 1 << 20;

let buf = new Uint8Array(1024);
let view = new DataView(buf.buffer);
let pos = 0;
const seen: object[] = [];

/**
 * `value` in V8's serialization format, in bytes of its own, or
 * `undefined` when it is not one of the common values this writes.
 */
export function tryEncodeV8(value: unknown): Uint8Array | undefined {
  pos = 0;
  seen.length = 0;
  need(2);
  buf[pos++] = 0xff;
  buf[pos++] = V8_FORMAT_VERSION;
  const done = writeValue(value, 0);
  seen.length = 0;
  let bytes: Uint8Array | undefined;
  if (done) {
    // From Buffer's pool: a fresh ArrayBuffer costs ~0.5 µs in Deno.
    bytes = Buffer.allocUnsafe(pos);
    bytes.set(buf.subarray(0, pos));
  }
  if (buf.length > KEEP_BYTES) {
    buf = new Uint8Array(1024);
    view = new DataView(buf.buffer);
  }
  return bytes;
}

function isSmi(n: number): boolean {
  return (n | 0) === n && n >= SMI_MIN && n <= SMI_MAX && !Object.is(n, -0);
}

function writeValue(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "number":
      writeNumber(value, isSmi(value));
      return true;
    case "string":
      return writeString(value);
    case "boolean":
      byte(value ? TAG.true : TAG.false);
      return true;
    case "undefined":
      byte(TAG.undefined);
      return true;
    case "object":
      if (value === null) {
        byte(TAG.null);
        return true;
      }
      return writeObjectLike(value, depth);
    default:
      return false;
  }
}

function writeObjectLike(value: object, depth: number): boolean {
  if (depth >= MAX_FAST_DEPTH || isProxy(value)) return false;
  if (seen.length >= MAX_FAST_OBJECTS || seen.includes(value)) return false;
  seen.push(value);
  if (Array.isArray(value)) return writeArray(value, depth);
  const prototype = getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  if (!isOrdinary(value)) return false;
  return writeObject(value as Record<string, unknown>, depth);
}

/**
 * False for an object of a built-in type V8 writes otherwise (or refuses:
 * arguments objects, module namespaces) whose prototype is nonetheless
 * `Object.prototype` or `null`, having been replaced. Checked without
 * running the object's code: its own `Symbol.toStringTag`, which
 * `toString` would read, makes it not ordinary.
 *
 * Not detected: a `WeakRef` or `FinalizationRegistry` given such a
 * prototype, which V8 refuses and this writes as a plain object.
 */
function isOrdinary(value: object): boolean {
  if (getOwnPropertySymbols(value).includes(Symbol.toStringTag)) return false;
  if (objectToString.call(value) !== "[object Object]") return false;
  return !(ArrayBuffer.isView(value) || types.isAnyArrayBuffer(value) ||
    types.isMap(value) || types.isSet(value) || types.isWeakMap(value) ||
    types.isWeakSet(value) || types.isPromise(value) ||
    types.isBoxedPrimitive(value) || types.isGeneratorObject(value));
}

function writeObject(object: Record<string, unknown>, depth: number): boolean {
  const keys = objectKeys(object);
  if (keys.length > MAX_ENTRIES) return false;
  byte(TAG.beginObject);
  for (const key of keys) {
    const descriptor = getOwnPropertyDescriptor(object, key);
    if (descriptor === undefined || !("value" in descriptor)) return false;
    const index = arrayIndex(key);
    if (index >= 0) writeNumber(index, index <= SMI_MAX);
    else if (!writeString(key)) return false;
    if (!writeValue(descriptor.value, depth + 1)) return false;
  }
  byte(TAG.endObject);
  varint(keys.length);
  return true;
}

function writeArray(array: unknown[], depth: number): boolean {
  const length = array.length;
  if (length > MAX_ENTRIES || getPrototypeOf(array) !== Array.prototype) {
    return false;
  }
  // Holes or named properties besides the elements: V8 writes those
  // arrays otherwise (sparse, or with properties after the elements).
  if (objectKeys(array).length !== length) return false;
  const values = new Array<unknown>(length);
  let numbers = 0;
  let smis = 0;
  for (let i = 0; i < length; i++) {
    // Every index is an own property (the count above): a data property
    // unless it has a getter, which `__lookupGetter__` finds without
    // calling it (cheaper than a descriptor for an index).
    if (lookupGetter.call(array, i) !== undefined) return false;
    const element = array[i];
    values[i] = element;
    if (typeof element === "number") {
      numbers++;
      if (isSmi(element)) smis++;
    }
  }
  // V8 keeps an array of numbers with any non-Smi as doubles throughout.
  const allDoubles = numbers === length && smis < length;
  byte(TAG.beginDenseArray);
  varint(length);
  for (let i = 0; i < length; i++) {
    const element = values[i];
    if (typeof element === "number") {
      writeNumber(element, !allDoubles && isSmi(element));
    } else if (!writeValue(element, depth + 1)) return false;
  }
  byte(TAG.endDenseArray);
  varint(0);
  varint(length);
  return true;
}

/**
 * The array index a property key stands for (its canonical decimal form,
 * below 2³² - 1), which V8 writes as a number; -1 for any other key.
 */
function arrayIndex(key: string): number {
  const first = key.charCodeAt(0);
  if (!(first >= 0x30 && first <= 0x39) || key.length > 10) return -1;
  if (first === 0x30 && key.length > 1) return -1;
  let n = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n <= 4294967294 ? n : -1;
}

function writeNumber(n: number, smi: boolean): void {
  if (smi) {
    byte(TAG.int32);
    varint(((n << 1) ^ (n >> 31)) >>> 0);
    return;
  }
  need(9);
  buf[pos++] = TAG.double;
  view.setFloat64(pos, n, true);
  pos += 8;
}

function writeString(s: string): boolean {
  const length = s.length;
  if (length > MAX_STRING) return false;
  let oneByte = true;
  for (let i = 0; i < length; i++) {
    if (s.charCodeAt(i) > 0xff) {
      oneByte = false;
      break;
    }
  }
  if (oneByte) {
    need(length + 6);
    buf[pos++] = TAG.oneByteString;
    varint(length);
    for (let i = 0; i < length; i++) buf[pos++] = s.charCodeAt(i);
    return true;
  }
  const bytes = length * 2;
  need(bytes + 7);
  // V8 aligns two-byte contents to an even offset with a padding tag.
  if ((pos + 1 + varintSize(bytes)) & 1) buf[pos++] = TAG.padding;
  buf[pos++] = TAG.twoByteString;
  varint(bytes);
  for (let i = 0; i < length; i++) {
    const unit = s.charCodeAt(i);
    buf[pos++] = unit & 0xff;
    buf[pos++] = unit >>> 8;
  }
  return true;
}

function byte(b: number): void {
  need(1);
  buf[pos++] = b;
}

function varint(v: number): void {
  need(5);
  while (v > 127) {
    buf[pos++] = (v & 127) | 128;
    v >>>= 7;
  }
  buf[pos++] = v;
}

function varintSize(v: number): number {
  let size = 1;
  while (v > 127) {
    size++;
    v >>>= 7;
  }
  return size;
}

function need(n: number): void {
  if (pos + n <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + n) size *= 2;
  const grown = new Uint8Array(size);
  grown.set(buf.subarray(0, pos));
  buf = grown;
  view = new DataView(buf.buffer);
}
