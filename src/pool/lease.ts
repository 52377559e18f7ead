/**
 * A call's hold on the worker that accepted its task. The dispatcher, which
 * acquired the connection's permit and opened the channel, hands the call
 * this lease; releasing it gives everything back in one step.
 *
 * @module
 */
import type { Permit } from "../connection/semaphore.ts";
import type { TaskChannel } from "../connection/task_channel.ts";
import type { WorkerEntry } from "./roster.ts";

/** What a lease is made of. */
export interface LeaseInit {
  readonly worker: WorkerEntry;
  readonly channel: TaskChannel;
  readonly generator: boolean;
  readonly permit: Permit;
  /** Called once the permit is back: a call waiting for capacity may try. */
  readonly onRelease: () => void;
}

/** A worker's acceptance of one task, held by the call until it ends. */
export class Lease {
  /** The worker that accepted the task. */
  readonly worker: WorkerEntry;
  /** The task's channel to that worker. */
  readonly channel: TaskChannel;
  /** True when the task is a generator (from its Ack). */
  readonly generator: boolean;
  readonly #permit: Permit;
  readonly #onRelease: () => void;
  #released = false;

  constructor(init: LeaseInit) {
    this.worker = init.worker;
    this.channel = init.channel;
    this.generator = init.generator;
    this.#permit = init.permit;
    this.#onRelease = init.onRelease;
  }

  /**
   * Ends the hold, once: cancels the channel (nothing, when the task ended
   * by itself), gives the connection's permit back, and wakes the call
   * waiting for capacity.
   */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.channel.cancel();
    this.#permit.release();
    this.#onRelease();
  }
}
