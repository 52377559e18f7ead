/**
 * Writing a whole buffer to a writer that may take part of it per call
 * (`Deno.stdout`, `Deno.stderr`, a pipe).
 *
 * @module
 */

/** Something bytes are written to, a part per call. */
export interface PartialWriter {
  /** Writes some of `bytes`; resolves with how many. */
  write(bytes: Uint8Array): Promise<number>;
}

/** Writes all of `bytes` to `writer`, calling it until none are left. */
export async function writeAll(
  writer: PartialWriter,
  bytes: Uint8Array,
): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await writer.write(bytes.subarray(written));
  }
}
