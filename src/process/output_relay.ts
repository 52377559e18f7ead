/**
 * Relaying a worker's stdout and stderr to the caller's, line by line,
 * each line labelled with the worker: `[wool w1] hello`.
 *
 * An {@linkcode OutputRelay} reads its stream from the start to the end,
 * always, so that a child never blocks on a full pipe and no stream is left
 * unread (Deno's test sanitizers count an unread child stream as a leak).
 * A line hook sees each line first and may take it instead of relaying it:
 * that is how the status line is picked out of stdout (`ready_line.ts`)
 * while everything around it is relayed. A stream kept open by someone else
 * (a grandchild process that inherited it) can be cut short with
 * {@linkcode OutputRelay.cancel}.
 *
 * @module
 */
import { type PartialWriter, writeAll } from "../_util/write_all.ts";

/**
 * Where relayed output goes: called with one or more whole labelled lines,
 * each ending in `\n`. The relay waits for a returned promise before it
 * reads on, so a slow destination slows the child down instead of growing a
 * buffer. A sink that throws is not called again; the rest of the stream is
 * read and dropped.
 */
export type OutputSink = (text: string) => void | Promise<void>;

/** Options of {@linkcode OutputRelay}. */
export interface OutputRelayOptions {
  /** The worker's id; lines are relayed as `[wool <label>] <line>`. */
  readonly label: string;
  /** Where the labelled lines go. */
  readonly sink: OutputSink;
  /**
   * Sees each line (without its line break) before it is relayed, and
   * returns `true` to take it: a taken line is not relayed.
   *
   * @default {() => false}
   */
  readonly onLine?: (line: string) => boolean;
  /**
   * Keeps the last relayed lines, e.g. the stderr tail of a worker that
   * could not start.
   *
   * @default {undefined}
   */
  readonly tail?: TailBuffer;
}

/**
 * The longest line kept whole, in characters; a longer run without a line
 * break is relayed in pieces of this size, so a child that never writes one
 * cannot grow the caller's memory without bound.
 */
export const MAX_LINE_CHARS = 1024 * 1024;

const encoder = new TextEncoder();

/**
 * Splits text that arrives in chunks into lines. A line ends at `\n`; a
 * `\r` just before it is dropped (CRLF), also when the two arrive in
 * different chunks.
 */
export class LineSplitter {
  #buffered = "";
  readonly #maxLineChars: number;

  /**
   * Builds a splitter.
   *
   * @param maxLineChars The longest line kept whole, in characters.
   */
  constructor(maxLineChars: number = MAX_LINE_CHARS) {
    this.#maxLineChars = maxLineChars;
  }

  /**
   * Adds a chunk of text.
   *
   * @param text The next chunk.
   * @returns The lines it completed, without their line breaks.
   */
  push(text: string): string[] {
    const lines: string[] = [];
    let start = 0;
    let buffered = this.#buffered + text;
    let newline = buffered.indexOf("\n", start);
    while (newline >= 0) {
      lines.push(stripCarriageReturn(buffered.slice(start, newline)));
      start = newline + 1;
      newline = buffered.indexOf("\n", start);
    }
    buffered = buffered.slice(start);
    while (buffered.length > this.#maxLineChars) {
      lines.push(buffered.slice(0, this.#maxLineChars));
      buffered = buffered.slice(this.#maxLineChars);
    }
    this.#buffered = buffered;
    return lines;
  }

  /**
   * Ends the text.
   *
   * @returns The last line when the text did not end with a line break,
   * otherwise `undefined`.
   */
  end(): string | undefined {
    const rest = this.#buffered;
    this.#buffered = "";
    return rest === "" ? undefined : stripCarriageReturn(rest);
  }
}

/**
 * The last lines of a stream, bounded by a number of lines and of
 * characters (a ring buffer). A single line longer than the character bound
 * keeps its end.
 */
export class TailBuffer {
  readonly #maxLines: number;
  readonly #maxChars: number;
  readonly #lines: string[] = [];
  #chars = 0;

  /**
   * Builds an empty tail.
   *
   * @param maxLines The most lines kept.
   * @param maxChars The most characters kept, line breaks included.
   */
  constructor(maxLines = 40, maxChars = 8 * 1024) {
    this.#maxLines = maxLines;
    this.#maxChars = maxChars;
  }

  /**
   * Adds a line, dropping the oldest ones beyond the bounds.
   *
   * @param line The line, without its line break.
   */
  push(line: string): void {
    if (line.length + 1 > this.#maxChars) {
      line = `…${line.slice(line.length - this.#maxChars + 2)}`;
    }
    this.#lines.push(line);
    this.#chars += line.length + 1;
    while (
      this.#lines.length > this.#maxLines || this.#chars > this.#maxChars
    ) {
      this.#chars -= this.#lines.shift()!.length + 1;
    }
  }

  /**
   * The kept lines.
   *
   * @returns The lines, each ending in `\n`; empty when there are none.
   */
  text(): string {
    return this.#lines.map((line) => `${line}\n`).join("");
  }

  /**
   * The last line that is not blank.
   *
   * @returns The line, trimmed, or `undefined` when there is none.
   */
  lastLine(): string | undefined {
    for (let i = this.#lines.length - 1; i >= 0; i--) {
      const line = this.#lines[i].trim();
      if (line !== "") return line;
    }
    return undefined;
  }
}

/**
 * Formats one relayed line.
 *
 * @param label The worker's id.
 * @param line The line, without its line break.
 * @returns `[wool <label>] <line>` and a line break.
 */
export function labelLine(label: string, line: string): string {
  return line === "" ? `[wool ${label}]\n` : `[wool ${label}] ${line}\n`;
}

/**
 * A sink that writes to a writer such as `Deno.stdout`, whole texts one at
 * a time: texts from several relays sharing it never interleave.
 *
 * @param writer Where to write.
 * @returns The sink.
 */
export function writerSink(writer: PartialWriter): OutputSink {
  let previous: Promise<void> = Promise.resolve();
  return (text) => {
    const bytes = encoder.encode(text);
    const write = previous.then(() => writeAll(writer, bytes));
    previous = write.catch(() => {});
    return write;
  };
}

/** The default sink of relayed stdout: the caller's `Deno.stdout`. */
export const STDOUT_SINK: OutputSink = writerSink(Deno.stdout);

/** The default sink of relayed stderr: the caller's `Deno.stderr`. */
export const STDERR_SINK: OutputSink = writerSink(Deno.stderr);

/**
 * Relays one stream of a child process, line by line, from construction to
 * the end of the stream.
 */
export class OutputRelay {
  /**
   * Settles when the stream has ended (or was cancelled) and every line has
   * gone to the sink. It never rejects: a read error ends the relay.
   */
  readonly done: Promise<void>;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #options: OutputRelayOptions;
  readonly #prefix: string;
  #sinkBroken = false;

  /**
   * Starts relaying `stream`.
   *
   * @param stream A child's stdout or stderr; the relay locks and reads it.
   * @param options The label, the sink, and the line hook and tail.
   */
  constructor(
    stream: ReadableStream<Uint8Array>,
    options: OutputRelayOptions,
  ) {
    this.#reader = stream.getReader();
    this.#options = options;
    this.#prefix = options.label;
    this.done = this.#pump();
  }

  /**
   * Stops reading: the rest of the stream is dropped and the stream is
   * closed. Use it when the child has exited but its stream stays open.
   *
   * @returns A promise that settles with {@linkcode OutputRelay.done}.
   */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
    await this.done;
  }

  async #pump(): Promise<void> {
    const decoder = new TextDecoder();
    const splitter = new LineSplitter();
    try {
      while (true) {
        const { done, value } = await this.#reader.read();
        if (done) break;
        await this.#relay(
          splitter.push(decoder.decode(value, { stream: true })),
        );
      }
    } catch {
      // A read error (the stream was closed under us) ends the relay.
      await this.#reader.cancel().catch(() => {});
    }
    const last = splitter.push(decoder.decode());
    const rest = splitter.end();
    if (rest !== undefined) last.push(rest);
    await this.#relay(last);
  }

  async #relay(lines: readonly string[]): Promise<void> {
    const { onLine, tail, sink } = this.#options;
    let text = "";
    for (const line of lines) {
      if (onLine?.(line)) continue;
      tail?.push(line);
      text += labelLine(this.#prefix, line);
    }
    if (text === "" || this.#sinkBroken) return;
    try {
      await sink(text);
    } catch {
      this.#sinkBroken = true;
    }
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
