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
 * Both are measured over windows of `windowMs`. What decides is how busy
 * the thread was **while the limit was full**: its busy time in the last
 * window that closed over the time in it that the limit's slots were all
 * taken (an upper bound of its busy share then, since the busy time spent
 * with a slot free counts too). Spare time with a slot free says nothing
 * of the limit: a one-slot worker running CPU-bound tasks as they come is
 * idle between them, and it cannot use a second slot, since the thread is
 * busy whenever its one task runs; counted over the whole window, those
 * idle gaps (about 10 % at an offered load equal to its capacity) let its
 * limit grow to 2 and the tasks that then shared the thread took twice as
 * long. Until a window has closed, or in one where the limit was never
 * full, the thread counts as busy: a limit does not grow before it knows
 * it may.
 *
 * "Busy" includes the time the thread was ready to run but waited for a
 * core. A worker sharing its cores with other busy processes (the caller,
 * other workers, a load generator) is set aside by the kernel for whole
 * slices at a time; counted by CPU time alone those slices look like time
 * to spare, and a limit grew that only made tasks wait longer. On Linux the
 * kernel counts both for each thread in `/proc/thread-self/schedstat`: its
 * run time and its run-queue wait. Deno lets a program read that file only
 * with every permission (`--allow-all`, which a pool's workers inherit by
 * default); elsewhere the process's CPU time is what there is.
 *
 * @module
 */
import process from "node:process";
import { PERMISSION_NAMES } from "../_util/permission_names.ts";

/** The two clocks a learning hook reads. Tests pass simulated ones. */
export interface HookClock {
  /** Wall time in milliseconds, never decreasing (`performance.now()`). */
  now(): number;
  /**
   * Milliseconds the worker's thread has been busy: running, or ready to
   * run and waiting for a core, where that can be read; else the CPU time
   * of the process (user + system). Only differences are used.
   */
  busyMs(): number;
}

/**
 * The real clocks: `performance.now()`, and the calling thread's run time
 * plus run-queue wait from `/proc/thread-self/schedstat` when readable, else
 * `process.cpuUsage()`.
 */
export const SYSTEM_CLOCK: HookClock = Object.freeze({
  now: readPerformanceNow,
  busyMs: readBusyMs,
});

let busyReader: (() => number) | undefined;

/** The first call picks the reader: the scheduler's where it can be read. */
function readBusyMs(): number {
  busyReader ??= schedulerBusyMs() ?? readCpuMs;
  return busyReader();
}

function readPerformanceNow(): number {
  return performance.now();
}

function readCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

const SCHEDSTAT = "/proc/thread-self/schedstat";

/**
 * A reader of the calling thread's run time plus run-queue wait (the
 * thread that runs the hooks reads its own), or
 * `undefined` where there is none: not Linux, or not every permission
 * (asked with `querySync`, which never prompts, before touching the file).
 */
export function schedulerBusyMs(): (() => number) | undefined {
  if (Deno.build.os !== "linux") return undefined;
  // Deno reads a file under `/proc` only with every permission.
  const granted = PERMISSION_NAMES.every((name) =>
    Deno.permissions.querySync({ name }).state === "granted"
  );
  if (!granted) return undefined;
  try {
    return parseSchedstat(Deno.readTextFileSync(SCHEDSTAT)) === undefined
      ? undefined
      : readSchedstatMs;
  } catch {
    return undefined;
  }
}

function readSchedstatMs(): number {
  return parseSchedstat(Deno.readTextFileSync(SCHEDSTAT)) ?? Number.NaN;
}

/**
 * Run time plus run-queue wait, in milliseconds, from the text of a
 * `schedstat` file (`<run ns> <wait ns> <timeslices>`); `undefined` when
 * the text is not that.
 */
export function parseSchedstat(text: string): number | undefined {
  const [run, wait] = text.trim().split(" ", 2).map(Number);
  if (!Number.isFinite(run) || !Number.isFinite(wait)) return undefined;
  return (run + wait) / 1e6;
}

/** Tracks, window by window, whether a limit binds and the thread is busy. */
export class LoadSignals {
  readonly #clock: HookClock;
  readonly #windowMs: number;
  readonly #saturation: number;
  #windowStartMs: number;
  #windowStartBusyMs: number;
  #limitedNow = false;
  #limitedBefore = false;
  #saturated = true;
  #utilization = Number.NaN;
  /** Since when the limit has been full (`clock.now()`), while it is. */
  #fullSince: number | undefined;
  /** Time the limit was full in this window, before `#fullSince`. */
  #fullMs = 0;

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
    this.#windowStartBusyMs = clock.busyMs();
  }

  /** The busy fraction of the last closed window; `NaN` before one closed. */
  get utilization(): number {
    return this.#utilization;
  }

  /**
   * Notes whether every slot of the limit is taken now; called as tasks
   * are admitted and settle, and as the limit moves.
   */
  full(isFull: boolean): void {
    this.#roll();
    const since = this.#fullSince;
    if (isFull && since === undefined) this.#fullSince = this.#clock.now();
    if (!isFull && since !== undefined) {
      this.#fullMs += this.#clock.now() - since;
      this.#fullSince = undefined;
    }
  }

  /** Notes that the limit turned a task away now. */
  noteLimited(): void {
    this.#roll();
    this.#limitedNow = true;
  }

  /**
   * Whether the limit may grow now: it turned a task away in this window
   * or the last one, and the last closed window found the thread with time
   * to spare while the limit was full.
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
    const busyMs = this.#clock.busyMs();
    const windowBusyMs = busyMs - this.#windowStartBusyMs;
    let fullMs = this.#fullMs;
    if (this.#fullSince !== undefined) {
      fullMs += nowMs - this.#fullSince;
      this.#fullSince = nowMs;
    }
    this.#fullMs = 0;
    // A clock that could not be read counts as busy: no growth on no evidence.
    const utilization = windowBusyMs / elapsedMs;
    this.#utilization = Number.isNaN(utilization)
      ? 1
      : Math.max(0, utilization);
    const whileFull = windowBusyMs / fullMs;
    this.#saturated = !(fullMs > 0) || Number.isNaN(whileFull) ||
      whileFull >= this.#saturation;
    // A window in which the worker went quiet ends the old evidence.
    this.#limitedBefore = this.#limitedNow && elapsedMs < 2 * this.#windowMs;
    this.#limitedNow = false;
    this.#windowStartMs = nowMs;
    this.#windowStartBusyMs = busyMs;
  }
}
