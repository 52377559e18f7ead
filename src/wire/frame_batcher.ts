/**
 * Coalesces the frames one side of a Session stream produces in the same
 * turn of its event loop into one message: under load, one write carries
 * many tasks' frames instead of one write (and one syscall) per frame.
 *
 * A batch is flushed once the event loop has run the I/O callbacks that
 * were ready (`setImmediate`): every task those callbacks moved on adds its
 * frames to the same batch. When `eager()` says so — a lone task in
 * flight, nothing to coalesce with — it is flushed from a microtask
 * instead, which saves the turn. A batch that would grow past
 * `maxBatchBytes` is flushed at once.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import type { SessionRequestFrame, SessionResponseFrame } from "./frames.ts";

/** Collects items and hands them over in batches. */
export class FrameBatcher<T> {
  readonly #flush: (batch: T[]) => void;
  readonly #sizeOf: (item: T) => number;
  readonly #maxBatchBytes: number;
  readonly #eager: () => boolean;
  #batch: T[] = [];
  #bytes = 0;
  #scheduled = false;
  #hurried = false;

  /**
   * @param flush Receives each batch, in order.
   * @param sizeOf An item's size in bytes (an estimate is enough).
   * @param maxBatchBytes A batch is flushed before it would grow past this.
   * @param eager True when waiting for more frames is not worth a turn.
   */
  constructor(
    flush: (batch: T[]) => void,
    sizeOf: (item: T) => number,
    maxBatchBytes: number,
    eager: () => boolean = () => false,
  ) {
    this.#flush = flush;
    this.#sizeOf = sizeOf;
    this.#maxBatchBytes = maxBatchBytes;
    this.#eager = eager;
  }

  /** Adds an item to the current batch. */
  push(item: T): void {
    const size = this.#sizeOf(item);
    if (this.#batch.length > 0 && this.#bytes + size > this.#maxBatchBytes) {
      this.flush();
    }
    this.#batch.push(item);
    this.#bytes += size;
    if (!this.#scheduled) {
      this.#scheduled = true;
      if (this.#eager()) queueMicrotask(() => this.flush());
      else setImmediate(() => this.flush());
    }
  }

  /**
   * Hands over the current batch at the end of this turn (in a microtask)
   * instead of a turn later: for when nothing more is coming soon. A no-op
   * when the batch is empty.
   */
  hurry(): void {
    if (this.#batch.length === 0 || this.#hurried) return;
    this.#hurried = true;
    queueMicrotask(() => {
      this.#hurried = false;
      this.flush();
    });
  }

  /** Hands over the current batch now, if it holds anything. */
  flush(): void {
    this.#scheduled = false;
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    this.#bytes = 0;
    this.#flush(batch);
  }
}

/** Room for a frame's own fields (ids, tags, specifiers) besides its payload. */
const FRAME_FIELDS_BYTES = 256;

/**
 * A frame's size estimate for batching: its byte payload (arguments,
 * values, errors) plus room for its other fields.
 */
export function payloadBytes(
  frame: SessionRequestFrame | SessionResponseFrame,
): number {
  const body = frame.frame === "request"
    ? frame.request
    : frame.frame === "response"
    ? frame.response
    : undefined;
  if (body?.frame === undefined) return FRAME_FIELDS_BYTES;
  const fields = (body as Record<string, unknown>)[body.frame] as
    | Record<string, unknown>
    | undefined;
  const payload = fields?.args ?? fields?.value ?? fields?.error;
  return FRAME_FIELDS_BYTES +
    (payload instanceof Uint8Array ? payload.length : 0) +
    (typeof fields?.module === "string" ? fields.module.length : 0);
}
