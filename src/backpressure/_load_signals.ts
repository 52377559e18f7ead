/**
 * What a learning hook knows of its worker besides task latencies: whether
 * its limit is turning tasks away, and how busy the worker's thread is.
 *
 * A worker is one JavaScript thread. Once that thread is busy all the time,
 * admitting more tasks at once cannot finish more of them per second; it
 * only makes each wait longer. So a limit may grow only when it binds (it
 * turned a task away lately) **and** the thread has time to spare: a
 * CPU-bound worker then never probes above the concurrency it can use, and
 * an I/O-bound one (tasks awaiting a database, a timer, another service)
 * grows until latency says the resource it waits on is full.
 *
 * Both are measured over windows of `windowMs`: utilization is the
 * process's CPU time over the wall time of the last window that closed.
 * Until one has closed, the thread counts as busy: a limit does not grow
 * before it knows it may.
 *
 * @module
 */
import process from "node:process";

/** The two clocks a learning hook reads. Tests pass simulated ones. */
export interface HookClock {
  /** Wall time in milliseconds, never decreasing (`performance.now()`). */
  now(): number;
  /** CPU time this process has used, in milliseconds (user + system). */
  cpuMs(): number;
}

/** The real clocks: `performance.now()` and `process.cpuUsage()`. */
export const SYSTEM_CLOCK: HookClock = Object.freeze({
  now: readPerformanceNow,
  cpuMs: readCpuMs,
});

function readPerformanceNow(): number {
  return performance.now();
}

function readCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Tracks, window by window, whether a limit binds and the thread is busy. */
export class LoadSignals {
  readonly #clock: HookClock;
  readonly #windowMs: number;
  readonly #saturation: number;
  #windowStartMs: number;
  #windowStartCpuMs: number;
  #limitedNow = false;
  #limitedBefore = false;
  #saturated = true;
  #utilization = Number.NaN;

  /**
   * @param clock Where time comes from.
   * @param windowMs Milliseconds per measuring window.
   * @param saturation Utilization (busy fraction of one thread) from which
   * the thread counts as saturated.
   */
  constructor(clock: HookClock, windowMs: number, saturation: number) {
    this.#clock = clock;
    this.#windowMs = windowMs;
    this.#saturation = saturation;
    this.#windowStartMs = clock.now();
    this.#windowStartCpuMs = clock.cpuMs();
  }

  /** The busy fraction of the last closed window; `NaN` before one closed. */
  get utilization(): number {
    return this.#utilization;
  }

  /** Notes that the limit turned a task away now. */
  noteLimited(): void {
    this.#roll();
    this.#limitedNow = true;
  }

  /**
   * Whether the limit may grow now: it turned a task away in this window
   * or the last one, and the last closed window found the thread with time
   * to spare.
   */
  mayGrow(): boolean {
    this.#roll();
    return !this.#saturated && (this.#limitedNow || this.#limitedBefore);
  }

  /** Closes the current window when it has lasted `windowMs`. */
  #roll(): void {
    const nowMs = this.#clock.now();
    const elapsedMs = nowMs - this.#windowStartMs;
    if (elapsedMs < this.#windowMs) return;
    const cpuMs = this.#clock.cpuMs();
    this.#utilization = Math.max(0, cpuMs - this.#windowStartCpuMs) /
      elapsedMs;
    this.#saturated = this.#utilization >= this.#saturation;
    // A window in which the worker went quiet ends the old evidence.
    this.#limitedBefore = this.#limitedNow && elapsedMs < 2 * this.#windowMs;
    this.#limitedNow = false;
    this.#windowStartMs = nowMs;
    this.#windowStartCpuMs = cpuMs;
  }
}
