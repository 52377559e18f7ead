/**
 * The worker side of the launch protocol, for the fixture workers of the
 * `src/process/` tests: read the config line, print lines, wait for stdin
 * to close.
 *
 * @module
 */
import type { WorkerConfig } from "../../../src/wire/launch.ts";

/** The config read from stdin, and a promise of stdin's end. */
export interface Started {
  readonly config: WorkerConfig;
  /** Settles when stdin closes (the pool is gone or stopping us). */
  readonly stdinClosed: Promise<void>;
}

/** Reads the config line from stdin; keeps reading stdin to its end. */
export async function readConfig(): Promise<Started> {
  const reader = Deno.stdin.readable.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  while (!buffered.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("stdin closed before the config line");
    buffered += decoder.decode(value, { stream: true });
  }
  const config = JSON.parse(buffered.slice(0, buffered.indexOf("\n")));
  const stdinClosed = (async () => {
    try {
      while (!(await reader.read()).done) {
        // Only the close matters.
      }
    } catch {
      // A broken stdin is a closed one.
    }
  })();
  return { config, stdinClosed };
}

const encoder = new TextEncoder();

/** Writes text on stdout, all of it. */
export async function writeStdout(text: string): Promise<void> {
  await writeAll(Deno.stdout, encoder.encode(text));
}

/** Writes text on stderr, all of it. */
export async function writeStderr(text: string): Promise<void> {
  await writeAll(Deno.stderr, encoder.encode(text));
}

async function writeAll(
  writer: { write(p: Uint8Array): Promise<number> },
  bytes: Uint8Array,
): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await writer.write(bytes.subarray(written));
  }
}
