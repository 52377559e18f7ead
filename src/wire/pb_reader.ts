/**
 * Reads protobuf wire format, for the generated decoders of `wool_pb.ts`.
 *
 * Every read is bounded by {@linkcode PbReader.end}, the end of the message
 * being read (a nested message narrows it for its body), and every way the
 * bytes can be wrong — a truncated varint or field, a length past the end,
 * field number 0, wire type 6 or 7, an unmatched group, nesting deeper
 * than {@linkcode MAX_DEPTH} — is a {@linkcode WireDecodeError}. Nothing
 * else is thrown, whatever the bytes.
 *
 * `bytes` fields are views into the input, not copies: grpc-js hands each
 * message over in a buffer of its own, which nothing else writes to.
 * Strings are decoded as `Buffer#utf8Slice` decodes them (what protobufjs
 * used): invalid UTF-8 becomes U+FFFD and a byte-order mark is kept.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { WireDecodeError } from "./wire_codec_error.ts";

/** Deepest nesting of messages (and groups) a decoder follows. */
export const MAX_DEPTH = 64;
/**
 * Strings up to this many bytes try an all-JavaScript ASCII loop; longer
 * ones (and any non-ASCII one) are one call of `Buffer#utf8Slice`.
 */
const ASCII_LOOP_MAX = 12;
const TWO_32 = 4294967296;

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
/** `Buffer#utf8Slice` (what `Buffer#toString` uses), on any Uint8Array. */
const bufferUtf8Slice = (Buffer.prototype as unknown as {
  utf8Slice?: (this: Uint8Array, start: number, end: number) => string;
}).utf8Slice;

/** Decodes UTF-8 as `Buffer#toString` does (U+FFFD for bad bytes, BOM kept). */
function utf8Slice(buf: Uint8Array, start: number, end: number): string {
  return bufferUtf8Slice
    ? bufferUtf8Slice.call(buf, start, end)
    : decoder.decode(buf.subarray(start, end));
}

/** The value of an absent `bytes` field (shared: it has no bytes to change). */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/**
 * Decodes one whole message with `read`; whatever goes wrong is a
 * {@linkcode WireDecodeError} naming `type`.
 *
 * @throws {WireDecodeError} when `bytes` are not a valid encoding.
 */
export function decodeMessage<T>(
  bytes: Uint8Array,
  type: string,
  read: (reader: PbReader, depth: number) => T,
): T {
  if (!(bytes instanceof Uint8Array)) {
    throw new WireDecodeError(type, 0, "the input is not a Uint8Array");
  }
  const reader = new PbReader(bytes, type);
  try {
    return read(reader, 0);
  } catch (error) {
    if (error instanceof WireDecodeError) throw error;
    // No input the fuzz tests tried gets here (they check that no error
    // has a cause); kept so that a decoder bug would still surface as the
    // one error decoding throws, with the bug as its cause.
    throw new WireDecodeError(
      type,
      reader.pos,
      error instanceof Error ? error.message : String(error),
      { cause: error },
    );
  }
}

/**
 * Sets a decoded map entry as an own data property, also for the key
 * `__proto__` (which plain assignment would take as the prototype).
 */
export function setEntry<V>(
  map: Record<string, V>,
  key: string,
  value: V,
): void {
  if (key === "__proto__") {
    Object.defineProperty(map, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else map[key] = value;
}

/** A bounded cursor over one encoded message. */
export class PbReader {
  readonly buf: Uint8Array;
  /** The message type being decoded, for error messages. */
  readonly type: string;
  pos = 0;
  /** Where the message (or nested message) being read ends. */
  end: number;
  #view: DataView | undefined;

  constructor(buf: Uint8Array, type: string) {
    this.buf = buf;
    this.type = type;
    this.end = buf.length;
  }

  /** A decode error at the cursor. */
  fail(problem: string): WireDecodeError {
    return new WireDecodeError(this.type, this.pos, problem);
  }

  /** A varint, truncated to its low 32 bits, unsigned (uint32, tags, lengths). */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < this.end) {
      const b = buf[pos];
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= this.end) throw this.fail("truncated varint");
      const b = buf[pos++];
      value |= (b & 127) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    // Bytes 6 to 10 carry bits above 32: skipped, as protobufjs does.
    for (let i = 5; i < 10; i++) {
      if (pos >= this.end) throw this.fail("truncated varint");
      if (buf[pos++] < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    throw this.fail("varint longer than 10 bytes");
  }

  /** A varint as a signed 32-bit integer (int32). */
  int32(): number {
    return this.uint32() | 0;
  }

  /** A zigzag varint (sint32). */
  sint32(): number {
    const n = this.uint32();
    return (n >>> 1) ^ -(n & 1);
  }

  /** A varint as a boolean. */
  bool(): boolean {
    const [lo, hi] = this.#varint64();
    return lo !== 0 || hi !== 0;
  }

  /**
   * A uint64: a number when it is at most `Number.MAX_SAFE_INTEGER`, a
   * bigint above, so no two values ever decode alike.
   */
  uint64(): number | bigint {
    const [lo, hi] = this.#varint64();
    return unsigned64(lo, hi);
  }

  /** An int64 (two's complement varint): a number when safe, else a bigint. */
  int64(): number | bigint {
    const [lo, hi] = this.#varint64();
    return signed64(lo, hi);
  }

  /** A zigzag sint64: a number when safe, else a bigint. */
  sint64(): number | bigint {
    const [lo, hi] = this.#varint64();
    const n = (BigInt(hi) << 32n) | BigInt(lo);
    return safe((n >> 1n) ^ -(n & 1n));
  }

  /** Four bytes, little-endian, unsigned (fixed32). */
  fixed32(): number {
    return this.#viewAt(4).getUint32(this.pos - 4, true);
  }

  /** Four bytes, little-endian, signed (sfixed32). */
  sfixed32(): number {
    return this.#viewAt(4).getInt32(this.pos - 4, true);
  }

  /** Eight bytes, little-endian, unsigned (fixed64). */
  fixed64(): number | bigint {
    const view = this.#viewAt(8);
    return unsigned64(
      view.getUint32(this.pos - 8, true),
      view.getUint32(this.pos - 4, true),
    );
  }

  /** Eight bytes, little-endian, signed (sfixed64). */
  sfixed64(): number | bigint {
    const view = this.#viewAt(8);
    return signed64(
      view.getUint32(this.pos - 8, true),
      view.getUint32(this.pos - 4, true),
    );
  }

  /** A float. */
  float(): number {
    return this.#viewAt(4).getFloat32(this.pos - 4, true);
  }

  /** A double. */
  double(): number {
    return this.#viewAt(8).getFloat64(this.pos - 8, true);
  }

  /** A length prefix; returns where the bytes it announces end. */
  len(): number {
    const length = this.uint32();
    if (length > this.end - this.pos) {
      throw this.fail(`length ${length} past the end of the message`);
    }
    return this.pos + length;
  }

  /** A length-prefixed UTF-8 string. */
  string(): string {
    const end = this.len();
    const start = this.pos;
    this.pos = end;
    const buf = this.buf;
    if (end - start <= ASCII_LOOP_MAX) {
      let s = "";
      for (let i = start; i < end; i++) {
        const b = buf[i];
        if (b >= 0x80) return utf8Slice(buf, start, end);
        s += String.fromCharCode(b);
      }
      return s;
    }
    return utf8Slice(buf, start, end);
  }

  /**
   * Length-prefixed bytes, as a plain `Uint8Array` view into the input
   * (built directly: `subarray` of a `Buffer` would construct a `Buffer`).
   */
  bytes(): Uint8Array {
    const end = this.len();
    const buf = this.buf;
    const bytes = new Uint8Array(
      buf.buffer,
      buf.byteOffset + this.pos,
      end - this.pos,
    );
    this.pos = end;
    return bytes;
  }

  /**
   * Skips the field whose tag was just read (an unknown field, or a known
   * one with an unexpected wire type), as proto3 parsers do.
   */
  skip(tag: number, depth: number): void {
    if (tag >>> 3 === 0) throw this.fail("field number 0");
    switch (tag & 7) {
      case 0:
        this.#varint64();
        return;
      case 1:
        this.#viewAt(8);
        return;
      case 2:
        this.pos = this.len();
        return;
      case 3:
        this.#skipGroup(tag >>> 3, depth + 1);
        return;
      case 5:
        this.#viewAt(4);
        return;
      default:
        throw this.fail(`wire type ${tag & 7}`);
    }
  }

  /**
   * A length-prefixed nested message, read by `read` with the reader
   * bounded to its body.
   */
  message<T>(read: (reader: PbReader, depth: number) => T, depth: number): T {
    const end = this.len();
    this.checkDepth(depth + 1);
    const outer = this.end;
    this.end = end;
    const value = read(this, depth + 1);
    this.end = outer;
    return value;
  }

  /** Throws when `depth` is past {@linkcode MAX_DEPTH}. */
  checkDepth(depth: number): void {
    if (depth > MAX_DEPTH) {
      throw this.fail(`nesting deeper than ${MAX_DEPTH}`);
    }
  }

  #skipGroup(field: number, depth: number): void {
    this.checkDepth(depth);
    for (;;) {
      if (this.pos >= this.end) throw this.fail("unterminated group");
      const tag = this.uint32();
      if ((tag & 7) === 4) {
        if (tag >>> 3 !== field) throw this.fail("mismatched end of group");
        return;
      }
      this.skip(tag, depth);
    }
  }

  #varint64(): [number, number] {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) throw this.fail("truncated varint");
      const b = buf[pos++];
      if (i < 4) lo |= (b & 127) << (7 * i);
      else if (i === 4) {
        lo |= (b & 15) << 28;
        hi |= (b & 127) >> 4;
      } else hi |= (b & 127) << (7 * i - 32);
      if (b < 0x80) {
        this.pos = pos;
        return [lo >>> 0, hi >>> 0];
      }
    }
    throw this.fail("varint longer than 10 bytes");
  }

  /** Advances past `n` bytes and returns a view to read them from. */
  #viewAt(n: number): DataView {
    if (n > this.end - this.pos) throw this.fail("truncated fixed-size field");
    this.pos += n;
    this.#view ??= new DataView(
      this.buf.buffer,
      this.buf.byteOffset,
      this.buf.byteLength,
    );
    return this.#view;
  }
}

function unsigned64(lo: number, hi: number): number | bigint {
  if (hi < 0x200000) return hi * TWO_32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function signed64(lo: number, hi: number): number | bigint {
  if (hi < 0x200000) return hi * TWO_32 + lo;
  return safe(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)));
}

function safe(n: bigint): number | bigint {
  return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
}
