/**
 * Waiting for capacity (`admissionWaitMs`): calls that every worker
 * rejected queue here in arrival order. Only the call at the head retries,
 * after a jittered backoff or at once when a worker frees a slot; the next
 * call moves up when it leaves.
 *
 * @module
 */

const FIRST_BACKOFF_MS = 2;
const MAX_BACKOFF_MS = 50;

interface Ticket {
  wake: (() => void) | undefined;
}

/** A FIFO of calls waiting for capacity. */
export class CapacityQueue {
  readonly #tickets: Ticket[] = [];

  /** True when some call waits. */
  get busy(): boolean {
    return this.#tickets.length > 0;
  }

  /** Takes a place at the back of the queue. */
  join(): Ticket {
    const ticket: Ticket = { wake: undefined };
    this.#tickets.push(ticket);
    return ticket;
  }

  /** Gives up a place; the next call, if any, tries at once. */
  leave(ticket: Ticket): void {
    const index = this.#tickets.indexOf(ticket);
    if (index < 0) return;
    this.#tickets.splice(index, 1);
    if (index === 0) this.#tickets[0]?.wake?.();
  }

  /** A worker freed a slot: the call at the head tries at once. */
  notifyFreed(): void {
    this.#tickets[0]?.wake?.();
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
      if (this.#tickets[0] === ticket) {
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
