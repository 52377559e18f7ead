/**
 * Picking a worker's status line out of its stdout, with a deadline.
 *
 * The worker prints `<nonce> ready <json>` or `<nonce> failed <json>` once
 * (`src/wire/launch.ts`). A {@linkcode StatusLineWatcher} is the line hook
 * of the stdout `OutputRelay`: it takes the first line that
 * carries the nonce and lets every other line through to be relayed, before
 * and after it. A line that looks like a status line but carries another
 * nonce (task output, or a line printed to spoof one) is ordinary output.
 * {@linkcode readStatusLine} then waits for the watcher's outcome, a
 * timeout, or an abort, whichever comes first.
 *
 * @module
 */
import { ABORTED, TIMED_OUT, withTimeout } from "../_util/timeout.ts";
import type { ReadyReport, StatusLine } from "../wire/launch.ts";
import { parseStatusLine } from "../wire/launch.ts";

/** What the worker's stdout said, as far as its status goes. */
export type StatusOutcome =
  | StatusLine
  /** A line with the nonce that is not a valid status line. */
  | {
    readonly status: "malformed";
    readonly line: string;
    readonly cause: unknown;
  }
  /** Stdout ended without a status line. */
  | { readonly status: "ended" };

/** What {@linkcode readStatusLine} returns: the outcome, or why it gave up. */
export type ReadyOutcome =
  | StatusOutcome
  /** No status line within `timeoutMs`. */
  | { readonly status: "timeout"; readonly timeoutMs: number }
  /** The signal was aborted first. */
  | { readonly status: "aborted"; readonly reason: unknown };

/** Options of {@linkcode readStatusLine}. */
export interface ReadStatusLineOptions {
  /** Milliseconds to wait for the status line. */
  readonly timeoutMs: number;
  /**
   * Gives up waiting when aborted.
   *
   * @default {undefined}
   */
  readonly signal?: AbortSignal;
}

const MAX_QUOTED_CHARS = 200;

/**
 * Watches stdout lines for the status line carrying a nonce. Pass
 * {@linkcode StatusLineWatcher.take} as the relay's line hook and call
 * {@linkcode StatusLineWatcher.end} when the relay is done.
 */
export class StatusLineWatcher {
  /** Settles with the first status line, or `ended`; never rejects. */
  readonly outcome: Promise<StatusOutcome>;
  readonly #nonce: string;
  readonly #prefix: string;
  #settle!: (outcome: StatusOutcome) => void;
  #settled = false;

  /**
   * Builds a watcher.
   *
   * @param nonce The nonce of the worker's config.
   */
  constructor(nonce: string) {
    this.#nonce = nonce;
    this.#prefix = `${nonce} `;
    this.outcome = new Promise((resolve) => this.#settle = resolve);
    this.take = this.take.bind(this);
  }

  /**
   * Looks at one line of stdout.
   *
   * @param line The line, without its line break.
   * @returns `true` when it was the status line (so it is not relayed);
   * `false` for ordinary output, and for every line once the status line
   * has been seen.
   */
  take(line: string): boolean {
    if (this.#settled || !line.startsWith(this.#prefix)) return false;
    this.#finish(this.#parse(line));
    return true;
  }

  /** Ends the watch: the outcome is `ended` if no status line came. */
  end(): void {
    this.#finish({ status: "ended" });
  }

  #parse(line: string): StatusOutcome {
    let parsed: StatusLine | undefined;
    try {
      parsed = parseStatusLine(line, this.#nonce);
    } catch (cause) {
      return { status: "malformed", line: quote(line), cause };
    }
    if (parsed === undefined) {
      return {
        status: "malformed",
        line: quote(line),
        cause: new SyntaxError("the status is neither ready nor failed"),
      };
    }
    if (parsed.status === "ready" && !isReadyReport(parsed.report)) {
      return {
        status: "malformed",
        line: quote(line),
        cause: new TypeError(
          'the ready report must be { "address": <non-empty string>, "pid": <integer> }',
        ),
      };
    }
    if (parsed.status === "failed" && !isErrorRecordLike(parsed.error)) {
      return {
        status: "malformed",
        line: quote(line),
        cause: new TypeError(
          'the error record must have a string "name" and "message"',
        ),
      };
    }
    return parsed;
  }

  #finish(outcome: StatusOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#settle(outcome);
  }
}

/**
 * Waits for a worker's status line: the watcher's outcome, unless
 * `timeoutMs` passes or `signal` aborts first. Lines keep being relayed
 * meanwhile and afterwards; nothing is left pending when it returns (its
 * timer and abort listener are removed).
 *
 * @param watcher The watcher hooked into the stdout relay.
 * @param options The deadline in milliseconds, and an abort signal.
 * @returns The outcome: `ready`, `failed`, `malformed`, `ended`, `timeout`
 * or `aborted`.
 */
export async function readStatusLine(
  watcher: StatusLineWatcher,
  options: ReadStatusLineOptions,
): Promise<ReadyOutcome> {
  const { timeoutMs, signal } = options;
  const outcome = await withTimeout(watcher.outcome, timeoutMs, signal);
  if (outcome === TIMED_OUT) return { status: "timeout", timeoutMs };
  if (outcome === ABORTED) return { status: "aborted", reason: signal!.reason };
  return outcome;
}

function isReadyReport(report: unknown): report is ReadyReport {
  if (report === null || typeof report !== "object") return false;
  const { address, pid } = report as Record<string, unknown>;
  return typeof address === "string" && address !== "" &&
    Number.isInteger(pid);
}

function isErrorRecordLike(record: unknown): boolean {
  if (record === null || typeof record !== "object") return false;
  const { name, message } = record as Record<string, unknown>;
  return typeof name === "string" && typeof message === "string";
}

function quote(line: string): string {
  return line.length > MAX_QUOTED_CHARS
    ? `${line.slice(0, MAX_QUOTED_CHARS)}…`
    : line;
}
