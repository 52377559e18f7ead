/**
 * One task's conversation with a worker, as the caller sees it, whatever
 * the transport: frames go out with `send`, and `receive` yields the
 * worker's frames and finally the task's end status.
 *
 * @module
 */
import type { RequestFrame, TaskFrame } from "../wire/frames.ts";
import type { CallRelay, ChannelEvent } from "../call/channel_events.ts";

export {
  type CallHandler,
  type CallRelay,
  type ChannelEvent,
  ChannelEvents,
  type ReplyChannel,
} from "../call/channel_events.ts";

/** One task's conversation with one worker. */
export interface TaskChannel {
  /** Sends a frame to the worker. */
  send(frame: RequestFrame): void;
  /** The next event; after the end, the end again. */
  receive(): Promise<ChannelEvent>;
  /** Abandons the task: the worker aborts it. Idempotent. */
  cancel(): void;
  /**
   * Hands the nested calls the task `parent` makes over this conversation
   * to the handler `relay` makes at the first of them, while the task is
   * in flight (see `ChannelEvents`).
   */
  relayCalls?(relay: CallRelay, parent: TaskFrame): void;
}
