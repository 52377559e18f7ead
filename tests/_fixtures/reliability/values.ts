/**
 * Task routines whose values are hard to carry across the wire: nested
 * deeper than V8's (de)serializer can recurse, or of kinds it cannot clone.
 *
 * @module
 */
import { report } from "../tasks.ts";

/** An array nested `depth` deep: `[[[…[]…]]]`. */
export function deepArray(depth: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** An object nested `depth` deep: `{ a: { a: … {} } }`. */
export function deepObject(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/**
 * Yields `1`, then an object nested `depth` deep, then `3`; when it is
 * closed, its `finally` reports "closed" to the inbox on `port`.
 */
export async function* yieldsDeep(
  depth: number,
  port: number,
): AsyncGenerator<unknown> {
  try {
    yield await Promise.resolve(1);
    yield deepObject(depth);
    yield 3;
  } finally {
    await report(port, "closed");
  }
}

/** Returns a compiled WebAssembly module (the smallest valid one). */
export function wasmModule(): WebAssembly.Module {
  return new WebAssembly.Module(
    new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
  );
}

/** Returns a `SharedArrayBuffer`, which V8 clones only within a process. */
export function sharedBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(8);
}

/** How deep the value the task received is nested (through `.a` or `[0]`). */
export function depthOf(value: unknown): number {
  let depth = 0;
  let current = value as Record<string | number, unknown> | undefined;
  while (current !== null && typeof current === "object") {
    current = (Array.isArray(current) ? current[0] : current.a) as
      | Record<string | number, unknown>
      | undefined;
    depth++;
  }
  return depth;
}
