/**
 * Drives a learning hook by hand on a simulated clock: offers tasks as a
 * worker would (with its docket's size), settles them with chosen
 * latencies, and moves wall time and CPU time. For unit and property tests
 * of `adaptiveConcurrency` and `fairShare`.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Task, Verdict } from "../../src/backpressure/types.ts";
import type {
  SettledTask,
  TaskOutcome,
} from "../../src/backpressure/hook_object.ts";
import type { HookClock } from "../../src/backpressure/_load_signals.ts";

/** The hook shape the built-in learning hooks have. */
export interface LearningHook {
  readonly limit: number;
  admit(
    ctx: { activeTaskCount: number; task: Task },
  ): Verdict | Promise<Verdict>;
  settled(task: SettledTask): void;
}

/** A task in the driver's docket. */
export interface DrivenTask {
  readonly task: Task;
  readonly admittedMs: number;
  /** Whether the docket was empty when it was admitted. */
  readonly alone: boolean;
}

/** A worker's docket and clocks around a hook. */
export class HookDriver {
  nowMs = 0;
  busyMs = 0;
  readonly clock: HookClock = {
    now: () => this.nowMs,
    busyMs: () => this.busyMs,
  };
  readonly docket: DrivenTask[] = [];
  rejected = 0;
  #ids = 0;
  #hook: LearningHook | undefined;

  /** The hook; set once, from a factory given {@linkcode clock}. */
  get hook(): LearningHook {
    assert.ok(this.#hook, "no hook attached");
    return this.#hook;
  }

  attach(hook: LearningHook): this {
    this.#hook = hook;
    return this;
  }

  /**
   * Offers one task (with `context` in `ctx.task.context`). Returns it when
   * admitted, after checking the docket held fewer than the limit.
   */
  offer(context: Record<string, unknown> = {}): DrivenTask | null {
    const limit = this.hook.limit;
    const task = Object.freeze({
      id: `t${++this.#ids}`,
      module: "file:///srv/tasks.ts",
      export: "work",
      args: Object.freeze([]),
      context: Object.freeze({ ...context }),
    }) as Task;
    const verdict = this.decide({ activeTaskCount: this.docket.length, task });
    if (typeof verdict === "boolean" ? verdict : verdict.reject) {
      this.rejected++;
      return null;
    }
    assert.ok(
      this.docket.length < limit,
      `admitted with ${this.docket.length} active at limit ${limit}`,
    );
    const entry = {
      task,
      admittedMs: this.nowMs,
      alone: this.docket.length === 0,
    };
    this.docket.push(entry);
    return entry;
  }

  /**
   * The hook's verdict on `ctx`, which must come at once: the driver models
   * no held task (attach `adaptiveConcurrency` with `handoff: false`).
   */
  decide(ctx: { activeTaskCount: number; task: Task }): Verdict {
    const verdict = this.hook.admit(ctx);
    if (verdict instanceof Promise) {
      throw new TypeError(
        "The driver models no held task: attach adaptiveConcurrency with handoff: false",
      );
    }
    return verdict;
  }

  /** Moves time on by `ms`, the thread busy for `busy` of it (0 to 1). */
  advance(ms: number, busy: number): void {
    this.nowMs += ms;
    this.busyMs += ms * busy;
  }

  /**
   * Ends `entry` now, as having run since its admission (or for `runMs`,
   * when given).
   */
  settle(
    entry: DrivenTask,
    outcome: TaskOutcome = "ok",
    generator = false,
    runMs = this.nowMs - entry.admittedMs,
  ): void {
    const index = this.docket.indexOf(entry);
    assert.ok(index >= 0, "settled a task not in the docket");
    this.docket.splice(index, 1);
    this.hook.settled({
      task: entry.task,
      queuedMs: 0,
      runMs,
      outcome,
      generator,
    });
  }

  /**
   * One round: fills the docket to the limit (until an offer is turned
   * away), then lets the tasks end, the one at index `i` (in admission
   * order) `latencyOf(i)` ms after the round began, the thread busy for
   * `busy` of the time. Returns the limit after the round.
   */
  round(latencyOf: (index: number) => number, busy: number): number {
    while (this.offer() !== null);
    const startMs = this.nowMs;
    const ends = this.docket.map((entry, index) => ({
      entry,
      atMs: startMs + latencyOf(index),
    })).sort((a, b) => a.atMs - b.atMs);
    for (const { entry, atMs } of ends) {
      this.advance(Math.max(0, atMs - this.nowMs), busy);
      this.settle(entry);
    }
    return this.hook.limit;
  }
}
