/**
 * Deterministic simulations of one worker under a backpressure hook, on a
 * simulated clock, for tuning and testing learning hooks without timing.
 *
 * - {@linkcode simulateCpuWorker}: a single JavaScript thread running
 *   CPU-bound tasks. Between two tasks the thread reads every Task frame
 *   that arrived meanwhile and decides on each (at `decideCostMs` of CPU
 *   apiece); admitted tasks then run one after another, to completion, in
 *   admission order. An admitted task's time in the worker is the wait
 *   behind the tasks admitted before it plus its own CPU, and a frame that
 *   arrives while a task runs waits unread until it ends.
 * - {@linkcode simulateIoWorker}: tasks that await a resource of `slots`
 *   slots (a database, another service; `Infinity` for none), FIFO. The
 *   thread is idle but for decisions, so frames are decided as they arrive.
 *
 * Arrivals are open loop at a fixed rate with seeded jitter (a rejection
 * does not slow them), as `bench/_load.ts` offers load. Latency is counted
 * from a frame's arrival to its task's end, plus a fixed `overheadMs` for
 * the round trip outside the worker.
 *
 * @module
 */
import type {
  BackpressureContext,
  Task,
  Verdict,
} from "../../src/backpressure/types.ts";
import {
  type AnyBackpressureHook,
  type NormalizedHook,
  normalizeHook,
} from "../../src/backpressure/hook_object.ts";
import type { HookClock } from "../../src/backpressure/_load_signals.ts";

/** Makes the hook under test on the simulation's clock; `null` for none. */
export type HookMaker = (clock: HookClock) => AnyBackpressureHook | null;

/** One stream of arrivals. */
export interface ArrivalStream {
  /** Arrivals per second. */
  readonly perSecond: number;
  /**
   * Milliseconds of work of a task arriving at `atMs`: CPU time on a
   * single thread, or the time it holds a slot of the awaited resource.
   */
  readonly costMs: (atMs: number) => number;
  /**
   * Single thread only: milliseconds the task awaits I/O (using no CPU)
   * before its CPU work.
   *
   * @default {() => 0}
   */
  readonly ioMs?: (atMs: number) => number;
  /** The value of context variable `tenant` its tasks carry, if any. */
  readonly tenant?: string;
}

/** What a simulation runs. */
export interface Scenario {
  readonly durationMs: number;
  readonly streams: readonly ArrivalStream[];
  /** CPU milliseconds per admission decision. @default {0.05} */
  readonly decideCostMs?: number;
  /** Milliseconds added to each latency for the trip outside the worker. @default {0.3} */
  readonly overheadMs?: number;
  /** Arrival jitter, as a fraction of a stream's period. @default {0.5} */
  readonly jitter?: number;
  /** Seed of the jitter. @default {1} */
  readonly seed?: number;
}

/** One accepted task. */
export interface SimTask {
  readonly tenant?: string;
  readonly arrivedMs: number;
  readonly finishedMs: number;
  readonly latencyMs: number;
}

/** One rejected task. */
export interface SimRejection {
  readonly tenant?: string;
  readonly arrivedMs: number;
}

/** What happened in a simulation. */
export interface SimRun {
  readonly accepted: readonly SimTask[];
  readonly rejected: readonly SimRejection[];
  /** The hook's `limit` after each settled task, where it has one. */
  readonly limits: readonly { atMs: number; limit: number }[];
}

interface Arrival {
  readonly atMs: number;
  readonly stream: ArrivalStream;
}

interface Admitted {
  readonly arrival: Arrival;
  readonly task: Task;
  readonly admittedMs: number;
  readonly costMs: number;
}

/** The simulated world: time, CPU time, the hook, and what happened. */
class World {
  nowMs = 0;
  busyMs = 0;
  readonly clock: HookClock = {
    now: () => this.nowMs,
    busyMs: () => this.busyMs,
  };
  readonly hook: NormalizedHook | null;
  readonly raw: AnyBackpressureHook | null;
  readonly accepted: SimTask[] = [];
  readonly rejected: SimRejection[] = [];
  readonly limits: { atMs: number; limit: number }[] = [];
  #ids = 0;

  constructor(make: HookMaker, readonly overheadMs: number) {
    this.raw = make(this.clock);
    this.hook = this.raw === null ? null : normalizeHook(this.raw);
  }

  /** Decides on `arrival` with `active` tasks in the docket. */
  decide(arrival: Arrival, active: number): Task | null {
    const tenant = arrival.stream.tenant;
    const task = Object.freeze({
      id: `t${++this.#ids}`,
      module: "file:///sim/tasks.ts",
      export: "work",
      args: Object.freeze([]),
      context: Object.freeze(tenant === undefined ? {} : { tenant }),
    }) as Task;
    const ctx: BackpressureContext = Object.freeze({
      activeTaskCount: active,
      task,
    });
    const verdict = this.hook === null ? false : this.hook.admit(ctx);
    if (verdict instanceof Promise) {
      throw new TypeError(
        "The simulation needs a synchronous hook (adaptiveConcurrency: handoff: false)",
      );
    }
    if (!rejects(verdict)) return task;
    this.rejected.push({ tenant, arrivedMs: arrival.atMs });
    return null;
  }

  /** Records the end of an admitted task, and tells the hook. */
  finish(job: Admitted, decideCostMs: number): void {
    const { arrival } = job;
    this.accepted.push({
      tenant: arrival.stream.tenant,
      arrivedMs: arrival.atMs,
      finishedMs: this.nowMs,
      latencyMs: this.nowMs - arrival.atMs + this.overheadMs,
    });
    this.hook?.settled?.({
      task: job.task,
      queuedMs: decideCostMs,
      runMs: this.nowMs - job.admittedMs,
      outcome: "ok",
      generator: false,
    });
    const limit = (this.raw as { limit?: unknown } | null)?.limit;
    if (typeof limit === "number") {
      this.limits.push({ atMs: this.nowMs, limit });
    }
  }

  result(): SimRun {
    return {
      accepted: this.accepted,
      rejected: this.rejected,
      limits: this.limits,
    };
  }
}

/**
 * Runs `scenario` on a single thread. A task first awaits its stream's
 * `ioMs` (no CPU), then needs `costMs` of the thread, which runs such
 * pieces one at a time, to completion, in the order they became ready.
 */
export function simulateCpuWorker(make: HookMaker, scenario: Scenario): SimRun {
  const world = new World(make, scenario.overheadMs ?? 0.3);
  const decideCostMs = scenario.decideCostMs ?? 0.05;
  const arrivals = arrivalsOf(scenario);
  /** Admitted tasks awaiting their I/O, soonest first. */
  const sleeping: { job: Admitted; wakeMs: number }[] = [];
  /** Admitted tasks whose CPU part is ready to run, in order. */
  const ready: Admitted[] = [];
  let next = 0;
  while (true) {
    // Between two pieces of CPU work: handle every event that is due.
    while (true) {
      const arrivalMs = next < arrivals.length ? arrivals[next].atMs : Infinity;
      const wakeMs = sleeping.length > 0 ? sleeping[0].wakeMs : Infinity;
      if (Math.min(arrivalMs, wakeMs) > world.nowMs) break;
      if (wakeMs <= arrivalMs) {
        ready.push(sleeping.shift()!.job);
        continue;
      }
      const arrival = arrivals[next++];
      world.nowMs += decideCostMs;
      world.busyMs += decideCostMs;
      const task = world.decide(arrival, sleeping.length + ready.length);
      if (task === null) continue;
      const job = {
        arrival,
        task,
        admittedMs: world.nowMs,
        costMs: arrival.stream.costMs(arrival.atMs),
      };
      const ioMs = arrival.stream.ioMs?.(arrival.atMs) ?? 0;
      if (ioMs <= 0) {
        ready.push(job);
      } else {
        sleeping.push({ job, wakeMs: world.nowMs + ioMs });
        sleeping.sort((a, b) => a.wakeMs - b.wakeMs);
      }
    }
    const job = ready.shift();
    if (job !== undefined) {
      world.nowMs += job.costMs;
      world.busyMs += job.costMs;
      world.finish(job, decideCostMs);
      continue;
    }
    const arrivalMs = next < arrivals.length ? arrivals[next].atMs : Infinity;
    const wakeMs = sleeping.length > 0 ? sleeping[0].wakeMs : Infinity;
    const nextMs = Math.min(arrivalMs, wakeMs);
    if (nextMs === Infinity) break;
    world.nowMs = nextMs;
  }
  return world.result();
}

/** Runs `scenario` with tasks that await a resource of `slots` slots. */
export function simulateIoWorker(
  make: HookMaker,
  scenario: Scenario,
  slots: number,
): SimRun {
  const world = new World(make, scenario.overheadMs ?? 0.3);
  const decideCostMs = scenario.decideCostMs ?? 0.05;
  const arrivals = arrivalsOf(scenario);
  const waiting: Admitted[] = [];
  /** Tasks holding a slot, with the time each ends, soonest first. */
  const holding: { job: Admitted; endMs: number }[] = [];
  let active = 0;
  let next = 0;
  function startWaiting(): void {
    while (waiting.length > 0 && holding.length < slots) {
      const job = waiting.shift()!;
      holding.push({ job, endMs: world.nowMs + job.costMs });
      holding.sort((a, b) => a.endMs - b.endMs);
    }
  }
  while (next < arrivals.length || holding.length > 0) {
    const arrivalMs = next < arrivals.length ? arrivals[next].atMs : Infinity;
    const endMs = holding.length > 0 ? holding[0].endMs : Infinity;
    if (endMs <= arrivalMs) {
      const { job } = holding.shift()!;
      world.nowMs = Math.max(world.nowMs, endMs);
      active--;
      world.finish(job, decideCostMs);
      startWaiting();
      continue;
    }
    const arrival = arrivals[next++];
    world.nowMs = Math.max(world.nowMs, arrival.atMs);
    world.busyMs += decideCostMs;
    const task = world.decide(arrival, active);
    if (task === null) continue;
    active++;
    const costMs = arrival.stream.costMs(arrival.atMs);
    waiting.push({ arrival, task, admittedMs: world.nowMs, costMs });
    startWaiting();
  }
  return world.result();
}

function rejects(verdict: Verdict): boolean {
  return typeof verdict === "boolean" ? verdict : verdict.reject;
}

/** Every arrival of every stream, in time order. */
function arrivalsOf(scenario: Scenario): Arrival[] {
  const random = mulberry32(scenario.seed ?? 1);
  const jitter = scenario.jitter ?? 0.5;
  const arrivals: Arrival[] = [];
  for (const stream of scenario.streams) {
    const periodMs = 1000 / stream.perSecond;
    for (let i = 0;; i++) {
      const atMs = (i + 0.5 + jitter * (random() - 0.5)) * periodMs;
      if (atMs >= scenario.durationMs) break;
      arrivals.push({ atMs, stream });
    }
  }
  return arrivals.sort((a, b) => a.atMs - b.atMs);
}

/** A small seeded PRNG (Mulberry32): the same seed, the same run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
