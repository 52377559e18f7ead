/**
 * A concurrency limit learned from how admitted tasks end: the part of
 * `adaptiveConcurrency` that `fairShare({ limit: "adaptive" })` shares.
 * It ties a {@linkcode LimitAlgorithm} to the {@linkcode LoadSignals} that
 * gate its growth, and turns settled tasks into samples.
 *
 * @module
 */
import type { Task } from "./types.ts";
import type { SettledTask } from "./hook_object.ts";
import type { LimitAlgorithm } from "./_limit_algorithm.ts";
import { Gradient2 } from "./_gradient2.ts";
import { Aimd } from "./_aimd.ts";
import { type HookClock, LoadSignals } from "./_load_signals.ts";

/** The algorithms `adaptiveConcurrency` offers. */
export type AdaptiveAlgorithm = "gradient2" | "aimd";

/** Every setting of an adaptive limit, resolved (see `AdaptiveConcurrencyOptions`). */
export interface AdaptiveSettings {
  readonly algorithm: AdaptiveAlgorithm;
  readonly minLimit: number;
  readonly maxLimit: number;
  readonly initialLimit: number;
  readonly tolerance: number;
  readonly windowMs: number;
  readonly saturation: number;
  /** Gradient2 only. */
  readonly smoothing: number;
  /** AIMD only. */
  readonly backoff: number;
  /** `adaptiveConcurrency` only: hold a task for a slot about to free. */
  readonly handoff: boolean;
}

/** What the limit remembers of an admitted task until it settles. */
interface Admission {
  /** Its place in admission order. */
  readonly seq: number;
  /** Whether the docket was empty when it was admitted. */
  readonly alone: boolean;
}

/** A limit that learns from settled tasks. */
export class AdaptiveLimit {
  readonly #algorithm: LimitAlgorithm;
  readonly #signals: LoadSignals;
  readonly #clock: HookClock;
  readonly #name: AdaptiveAlgorithm;
  /** Admission order of the tasks in flight, to tell rounds apart. */
  readonly #admissions = new WeakMap<Task, Admission>();
  #admitted = 0;
  /** Tasks admitted and not yet settled. */
  #active = 0;

  constructor(settings: AdaptiveSettings, clock: HookClock) {
    this.#clock = clock;
    this.#name = settings.algorithm;
    this.#signals = new LoadSignals(
      clock,
      settings.windowMs,
      settings.saturation,
    );
    this.#algorithm = settings.algorithm === "aimd"
      ? new Aimd({ ...settings, baselineMs: 10 * settings.windowMs })
      : new Gradient2({
        ...settings,
        baselineMs: 5 * settings.windowMs,
      });
  }

  /** The most tasks admitted at once now: a whole number within the bounds. */
  get limit(): number {
    return Math.floor(this.#algorithm.limit);
  }

  /** The limit before rounding down, as the algorithm holds it. */
  get exactLimit(): number {
    return this.#algorithm.limit;
  }

  /** A short account of the state, for a rejection's reason. */
  describe(): string {
    const utilization = this.#signals.utilization;
    const busy = Number.isNaN(utilization)
      ? ""
      : `, thread ${Math.round(utilization * 100)} % busy`;
    return `${this.#name}: ${this.#algorithm.describe()}${busy}`;
  }

  /** Notes that `task` was admitted with `active` tasks in the docket. */
  admitted(task: Task, active: number): void {
    this.#admissions.set(task, { seq: ++this.#admitted, alone: active === 0 });
    this.#active = active + 1;
    this.#signals.full(this.#active >= this.limit);
  }

  /** Notes that the limit turned a task away. */
  turnedAway(): void {
    this.#signals.noteLimited();
  }

  /**
   * Learns from a task that ended. Cancelled tasks and generator streams
   * say nothing of how long the worker takes: they are not samples.
   */
  settled(done: SettledTask): void {
    const admission = this.#admissions.get(done.task);
    this.#admissions.delete(done.task);
    this.#active = Math.max(0, this.#active - 1);
    this.#signals.full(this.#active >= this.limit);
    if (done.outcome === "cancelled" || done.generator) return;
    const latencyMs = done.queuedMs + done.runMs;
    if (!(latencyMs >= 0) || !Number.isFinite(latencyMs)) return;
    this.#algorithm.update({
      latencyMs,
      nowMs: this.#clock.now(),
      mayGrow: this.#signals.mayGrow(),
      seq: admission?.seq ?? this.#admitted,
      admitted: this.#admitted,
      alone: admission?.alone ?? false,
    });
    this.#signals.full(this.#active >= this.limit);
  }
}
