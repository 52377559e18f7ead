/**
 * Writes protobuf wire format into one reusable scratch buffer, for the
 * generated encoders of `wool_pb.ts`: each encode resets it, writes the
 * message in a single pass, and copies the bytes out once
 * ({@linkcode PbWriter.finish}), so a frame costs one allocation of its own
 * size however deeply it nests.
 *
 * Nested messages are length-prefixed without measuring them first:
 * {@linkcode PbWriter.fork} reserves one byte for the length, and
 * {@linkcode PbWriter.join} fills it in, moving the body along in the rare
 * case the length needs more than one byte (a body of 128 bytes or more).
 *
 * Strings are written as UTF-8 (a lone surrogate as U+FFFD, as
 * `TextEncoder` writes it); ASCII strings, most of the protocol's ids and
 * specifiers, take a loop with no call out of JavaScript.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** The scratch buffer's size, and what it shrinks back to after a big frame. */
const INITIAL_BYTES = 4096;
/** A scratch buffer grown past this is dropped after its frame. */
const KEEP_BYTES = 1 << 20;
/** Strings up to this many UTF-16 units try the all-JavaScript ASCII loop. */
const ASCII_LOOP_MAX = 64;
const TWO_32 = 4294967296;

const encoder = new TextEncoder();

/** A single-pass protobuf writer over a growable scratch buffer. */
export class PbWriter {
  /** The scratch buffer; valid up to {@linkcode PbWriter.pos}. */
  buf: Uint8Array = new Uint8Array(INITIAL_BYTES);
  /** Bytes written since the last {@linkcode PbWriter.reset}. */
  pos = 0;
  #view = new DataView(this.buf.buffer);

  /** Starts a new message. */
  reset(): void {
    this.pos = 0;
  }

  /** The bytes written, as a new `Buffer` (what grpc-js serializers return). */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    if (this.buf.length > KEEP_BYTES) this.#resize(INITIAL_BYTES);
    this.pos = 0;
    return out;
  }

  /** Makes room for `n` more bytes. */
  need(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    this.#resize(size);
  }

  /** One byte (a precomputed tag, a bool). */
  byte(b: number): void {
    this.need(1);
    this.buf[this.pos++] = b;
  }

  /** A uint32 as a varint; `v` must be an integer in [0, 2³²). */
  uint32(v: number): void {
    this.need(5);
    const buf = this.buf;
    let pos = this.pos;
    while (v > 127) {
      buf[pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** An int32 as a varint: a negative value takes ten bytes (sign-extended). */
  int32(v: number): void {
    if (v >= 0) this.uint32(v);
    else this.varint64(v >>> 0, 0xffffffff);
  }

  /** A sint32 as a zigzag varint. */
  sint32(v: number): void {
    this.uint32(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** A 64-bit varint from its low and high 32 bits (each in [0, 2³²)). */
  varint64(lo: number, hi: number): void {
    this.need(10);
    const buf = this.buf;
    let pos = this.pos;
    while (hi !== 0) {
      buf[pos++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 127) {
      buf[pos++] = (lo & 127) | 128;
      lo >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  /**
   * A uint64 or int64 as a varint: a non-negative safe integer number, or a
   * bigint (taken modulo 2⁶⁴, so a negative int64 is its two's complement).
   */
  uint64(v: number | bigint): void {
    if (typeof v === "number") {
      if (v < TWO_32) this.uint32(v);
      else this.varint64(v >>> 0, Math.floor(v / TWO_32) >>> 0);
      return;
    }
    const [lo, hi] = split64(v);
    this.varint64(lo, hi);
  }

  /** An int64 as a varint (a negative number takes ten bytes). */
  int64(v: number | bigint): void {
    if (typeof v === "number" && v >= 0) this.uint64(v);
    else this.uint64(BigInt(v));
  }

  /** A sint64 as a zigzag varint. */
  sint64(v: number | bigint): void {
    const n = BigInt(v);
    this.uint64(BigInt.asUintN(64, (n << 1n) ^ (n >> 63n)));
  }

  /** Four bytes, little-endian (fixed32, sfixed32). */
  fixed32(v: number): void {
    this.need(4);
    this.#view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }

  /** Eight bytes, little-endian (fixed64, sfixed64). */
  fixed64(v: number | bigint): void {
    const [lo, hi] = typeof v === "number" && v >= 0 && v < TWO_32
      ? [v, 0]
      : split64(BigInt(v));
    this.need(8);
    this.#view.setUint32(this.pos, lo, true);
    this.#view.setUint32(this.pos + 4, hi, true);
    this.pos += 8;
  }

  /** A float, four bytes little-endian. */
  float(v: number): void {
    this.need(4);
    this.#view.setFloat32(this.pos, v, true);
    this.pos += 4;
  }

  /** A double, eight bytes little-endian. */
  double(v: number): void {
    this.need(8);
    this.#view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** A length-prefixed UTF-8 string. */
  string(s: string): void {
    const length = s.length;
    if (length <= ASCII_LOOP_MAX) {
      this.need(length + 1);
      const buf = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === length) {
        buf[this.pos] = length;
        this.pos = start + length;
        return;
      }
    }
    // At most 3 UTF-8 bytes per UTF-16 unit; the length prefix is written
    // in one byte and moved along by `join` when it needs more.
    this.need(length * 3 + 5);
    const at = this.fork();
    const { written } = encoder.encodeInto(s, this.buf.subarray(this.pos));
    this.pos += written;
    this.join(at);
  }

  /** Length-prefixed bytes. */
  bytes(b: Uint8Array): void {
    this.uint32(b.length);
    this.need(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Starts a length-prefixed body; returns where its length goes. */
  fork(): number {
    this.need(1);
    return this.pos++;
  }

  /** Ends the body started by the {@linkcode PbWriter.fork} that returned `at`. */
  join(at: number): void {
    const length = this.pos - at - 1;
    if (length < 128) {
      this.buf[at] = length;
      return;
    }
    const extra = varintSize(length) - 1;
    this.need(extra);
    this.buf.copyWithin(at + 1 + extra, at + 1, this.pos);
    this.pos += extra;
    let v = length;
    let pos = at;
    while (v > 127) {
      this.buf[pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.buf[pos] = v;
  }

  #resize(size: number): void {
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, Math.min(this.pos, size)));
    this.buf = grown;
    this.#view = new DataView(grown.buffer);
  }
}

/** True for an integer in [-2³¹, 2³¹). */
export function isInt32(v: unknown): v is number {
  return typeof v === "number" && (v | 0) === v;
}

/** True for an integer in [0, 2³²). */
export function isUint32(v: unknown): v is number {
  return typeof v === "number" && v >>> 0 === v;
}

/** True for a safe integer number, or a bigint in [-2⁶³, 2⁶³). */
export function isInt64(v: unknown): v is number | bigint {
  return typeof v === "number"
    ? Number.isSafeInteger(v)
    : typeof v === "bigint" && BigInt.asIntN(64, v) === v;
}

/** True for a non-negative safe integer number, or a bigint in [0, 2⁶⁴). */
export function isUint64(v: unknown): v is number | bigint {
  return typeof v === "number"
    ? Number.isSafeInteger(v) && v >= 0
    : typeof v === "bigint" && BigInt.asUintN(64, v) === v;
}

/** Bytes a uint32 takes as a varint. */
export function varintSize(v: number): number {
  return v < 0x80
    ? 1
    : v < 0x4000
    ? 2
    : v < 0x200000
    ? 3
    : v < 0x10000000
    ? 4
    : 5;
}

function split64(v: bigint): [number, number] {
  const u = BigInt.asUintN(64, v);
  return [Number(u & 0xffffffffn), Number(u >> 32n)];
}
