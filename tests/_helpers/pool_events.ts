/**
 * Awaiting everything a pool reports (`pool.subscribe(…, { reports: true })`):
 * workers joining and leaving, discovered workers it could not admit, its
 * discovery failing — so tests wait for an event instead of polling.
 *
 * @module
 */
import type { PoolEvent, WorkerPool } from "../../mod.ts";
import { TIMED_OUT, withTimeout } from "../../src/_util/timeout.ts";
import { HANG_MS } from "./deadline.ts";

interface Waiter {
  readonly matches: (event: PoolEvent) => boolean;
  resolve: (event: PoolEvent) => void;
}

/** The narrowed event of type `T`. */
export type EventOf<T extends PoolEvent["type"]> = Extract<
  PoolEvent,
  { type: T }
>;

/** Records every event from its creation on; hands each out once. */
export class PoolEvents implements Disposable {
  /** Every event, in order. */
  readonly all: PoolEvent[] = [];
  readonly #unsubscribe: () => void;
  readonly #unclaimed: PoolEvent[] = [];
  #waiters: Waiter[] = [];

  /** Starts recording the events of `pool`. */
  constructor(pool: WorkerPool) {
    this.#unsubscribe = pool.subscribe(
      (event) => this.#record(event),
      { reports: true },
    );
  }

  /**
   * The first event not handed out yet of type `type` that `matches`,
   * recorded already or still to come; rejects, listing the events seen,
   * when none came within `ms` (a bound on a hang, not a speed check).
   */
  async next<T extends PoolEvent["type"]>(
    type: T,
    matches: (event: EventOf<T>) => boolean = () => true,
    ms = HANG_MS,
  ): Promise<EventOf<T>> {
    const test = (event: PoolEvent) =>
      event.type === type && matches(event as EventOf<T>);
    const index = this.#unclaimed.findIndex(test);
    if (index >= 0) return this.#unclaimed.splice(index, 1)[0] as EventOf<T>;
    const waiter: Waiter = { matches: test, resolve: () => {} };
    const event = new Promise<PoolEvent>((resolve) => waiter.resolve = resolve);
    this.#waiters.push(waiter);
    const outcome = await withTimeout(event, ms);
    if (outcome !== TIMED_OUT) return outcome as EventOf<T>;
    this.#waiters = this.#waiters.filter((other) => other !== waiter);
    throw new Error(
      `No "${type}" event that matches came within ${ms} ms; events:\n${
        this.lines.join("\n")
      }`,
    );
  }

  /** The lines `describeEvent` gives, of every event so far. */
  get lines(): string[] {
    return this.all.map(describeEvent);
  }

  [Symbol.dispose](): void {
    this.#unsubscribe();
  }

  #record(event: PoolEvent): void {
    this.all.push(event);
    const waiter = this.#waiters.find((candidate) => candidate.matches(event));
    if (!waiter) {
      this.#unclaimed.push(event);
      return;
    }
    this.#waiters = this.#waiters.filter((candidate) => candidate !== waiter);
    waiter.resolve(event);
  }
}

/** One line per event: what a failing assertion shows. */
export function describeEvent(event: PoolEvent): string {
  switch (event.type) {
    case "joined":
      return `joined ${event.worker.id} ${event.worker.address}`;
    case "left":
      return `left ${event.worker.id} ${event.worker.address} ${event.reason}`;
    case "unavailable":
      return `unavailable ${event.address} ${event.reason}`;
    case "discovery-error":
      return `discovery-error ${event.error.message}`;
  }
}
