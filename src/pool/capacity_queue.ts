/**
 * Waiting for capacity (`admissionWaitMs`): calls that every worker
 * rejected queue here in arrival order, one queue per key
 * (`admissionWaitKey`; without one, every call has the same key). Only the
 * call at the head of its key's queue retries, after a jittered backoff or
 * at once when a worker frees a slot; the next call of that key moves up
 * when it leaves. A freed slot wakes the heads of the keys in turn, a few
 * at a time, so a key whose head the workers keep refusing (a tenant over
 * its `fairShare`) does not hold back the calls of the others.
 *
 * @module
 */

const FIRST_BACKOFF_MS = 2;
const MAX_BACKOFF_MS = 50;
/** The most queue heads one freed slot wakes (from a rotating start). */
const HEADS_WOKEN_PER_SLOT = 4;

/** The key of every call when calls are not told apart. */
const ONE_KEY = "";

/** A waiting call's place. */
export interface Ticket {
  readonly key: string;
  wake: (() => void) | undefined;
}

/** FIFO queues, one per key, of calls waiting for capacity. */
export class CapacityQueue {
  /** The waiting calls of each key, in arrival order; no empty queue. */
  readonly #queues = new Map<string, Ticket[]>();
  /** Where the next freed slot starts waking heads, over the keys. */
  #cursor = 0;

  /** True when some call of `key` waits. */
  waiting(key: string = ONE_KEY): boolean {
    return this.#queues.has(key);
  }

  /** Takes a place at the back of `key`'s queue. */
  join(key: string = ONE_KEY): Ticket {
    const ticket: Ticket = { key, wake: undefined };
    const queue = this.#queues.get(key);
    if (queue) queue.push(ticket);
    else this.#queues.set(key, [ticket]);
    return ticket;
  }

  /** Gives up a place; the next call of its key, if any, tries at once. */
  leave(ticket: Ticket): void {
    const queue = this.#queues.get(ticket.key);
    const index = queue?.indexOf(ticket) ?? -1;
    if (!queue || index < 0) return;
    queue.splice(index, 1);
    if (queue.length === 0) this.#queues.delete(ticket.key);
    else if (index === 0) queue[0].wake?.();
  }

  /**
   * A worker freed a slot: the call at the head of each key's queue tries
   * at once — of up to four keys, taking turns.
   */
  notifyFreed(): void {
    const count = this.#queues.size;
    if (count === 0) return;
    const start = this.#cursor % count;
    this.#cursor = start + 1;
    if (count === 1) {
      this.#queues.values().next().value?.[0].wake?.();
      return;
    }
    const heads = [...this.#queues.values()].map((queue) => queue[0]);
    for (let i = 0; i < Math.min(count, HEADS_WOKEN_PER_SLOT); i++) {
      heads[(start + i) % count].wake?.();
    }
  }

  #isHead(ticket: Ticket): boolean {
    return this.#queues.get(ticket.key)?.[0] === ticket;
  }

  /**
   * Resolves when `ticket` may try again: it is at the head and either a
   * slot was freed or its backoff for `attempt` elapsed. Resolves `false`
   * at `deadline`; rejects with the reason when `signal` aborts.
   */
  wait(
    ticket: Ticket,
    attempt: number,
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    return new Promise((resolve, reject) => {
      // An abort event has fired already: no listener would ever hear it.
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (outcome: boolean | { error: unknown }) => {
        clearTimeout(timer);
        clearTimeout(deadlineTimer);
        signal?.removeEventListener("abort", onAbort);
        ticket.wake = undefined;
        if (typeof outcome === "boolean") resolve(outcome);
        else reject(outcome.error);
      };
      const onAbort = () => finish({ error: signal!.reason });
      const deadlineTimer = setTimeout(
        () => finish(false),
        Math.max(0, deadline - performance.now()),
      );
      signal?.addEventListener("abort", onAbort, { once: true });
      const atHead = () => {
        ticket.wake = () => finish(true);
        timer = setTimeout(() => finish(true), backoffMs(attempt));
      };
      if (this.#isHead(ticket)) {
        atHead();
      } else {
        ticket.wake = () => {
          ticket.wake = undefined;
          finish(true);
        };
      }
    });
  }
}

/** Full-jitter exponential backoff: 2, 4, 8 … 50 ms, times a random factor. */
export function backoffMs(attempt: number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt);
  return ceiling / 2 + Math.random() * ceiling / 2;
}
