/**
 * Handing a slot to the next task before it frees: what keeps a worker
 * that admits tasks only while it has a free slot from sitting idle
 * between them.
 *
 * A worker at its limit rejects what arrives, so when a slot frees it
 * waits for the next arrival: half the gap between arrivals on average,
 * for every task. At 5× its capacity in evenly spaced calls, a one-slot
 * worker running 5 ms tasks idled 0.7 ms between tasks (busy 88 %). The
 * handoff holds one task back instead of rejecting it when the slot it
 * needs is about to free: when the task that has run longest is expected
 * (from the usual run time of those that ended) to end within a tenth of
 * that time. The held task gets no answer until a slot frees — it is
 * admitted then — or until twice that window has passed — it is rejected
 * then. So the next task is there as a slot frees, and waits at most a
 * fraction of one task's time for it.
 *
 * While one task is held, the worker's admission gate holds later tasks
 * too (decisions are taken one at a time): they are answered, newest
 * first, when the hold ends.
 *
 * @module
 */
import type { Task } from "./types.ts";
import type { HookClock } from "./_load_signals.ts";

/**
 * The share of the usual run time within which a slot is held for: a
 * quarter gave 93 % goodput at 5× in the overload bench with evenly spaced
 * arrivals, a tenth 92 %, and a lower accepted p99 (1.9–2.1× against
 * 2.1–2.3×).
 */
const WINDOW_SHARE = 0.1;
/** The longest window, in milliseconds, however long tasks run. */
const MAX_WINDOW_MS = 25;
/** The weight of each settled task's run time in the usual run time. */
const RUN_SMOOTHING = 0.2;

interface Held {
  readonly resolve: (admitted: boolean) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Holds one task back for a slot about to free; see the module doc. */
export class Handoff {
  readonly #clock: HookClock;
  /** When each admitted task was admitted, oldest first. */
  readonly #running = new Map<Task, number>();
  /** The usual run time of a task, in milliseconds; NaN before the first. */
  #runMs = Number.NaN;
  #held: Held | undefined;

  constructor(clock: HookClock) {
    this.#clock = clock;
  }

  /** The usual run time (ms) it expects, NaN before a task has ended. */
  get usualRunMs(): number {
    return this.#runMs;
  }

  /** True while a task is held. */
  get holding(): boolean {
    return this.#held !== undefined;
  }

  /** Notes that `task` was admitted, now. */
  started(task: Task): void {
    this.#running.set(task, this.#clock.now());
  }

  /**
   * A task arrived with every slot taken: resolves `true` once a slot is
   * free for it, `false` when it should be rejected. `undefined` (reject
   * now) when nothing is held for: no slot is about to free, a task is
   * held already, or no task has ended yet to tell how long tasks run.
   */
  hold(): Promise<boolean> | undefined {
    const runMs = this.#runMs;
    if (this.#held !== undefined || !(runMs > 0)) return undefined;
    const oldest = this.#running.values().next();
    if (oldest.done) return undefined;
    const windowMs = Math.min(runMs * WINDOW_SHARE, MAX_WINDOW_MS);
    const remainingMs = runMs - (this.#clock.now() - oldest.value);
    if (remainingMs > windowMs) return undefined;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.#held = undefined;
        resolve(false);
      }, 2 * windowMs);
      this.#held = { resolve, timer };
    });
  }

  /**
   * `task` ended after running `runMs`: a held task takes its slot. A
   * run that says nothing of how long tasks take (`sample` false: a
   * cancelled task, a generator) does not move the usual run time.
   */
  settled(task: Task, runMs: number, sample: boolean): void {
    this.#running.delete(task);
    if (sample && runMs >= 0 && Number.isFinite(runMs)) {
      this.#runMs = Number.isNaN(this.#runMs)
        ? runMs
        : this.#runMs + RUN_SMOOTHING * (runMs - this.#runMs);
    }
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    clearTimeout(held.timer);
    held.resolve(true);
  }
}
