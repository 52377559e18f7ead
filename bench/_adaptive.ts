/**
 * Section `adaptive`: CPU-bound tasks offered beyond a worker's capacity,
 * with no hook, `maxActive` at the right limit (1: one thread), `maxActive`
 * 4× too high, and `adaptiveConcurrency` with no option set.
 *
 * One worker runs `fixtures/cpu_tasks.ts` `cpu(ms)`: `ms` of CPU in 1 ms
 * slices, so tasks it admits together share its thread. First, with no
 * hook, the unloaded p99 (one call at a time, the best of three rounds)
 * and the capacity (32 calls in flight, so the thread never waits for a
 * round trip) at the task's cost and at twice it. Then, to a fresh pool per run, open-loop arrivals at 1×, 2×,
 * 5× and 10× the capacity, each call with a 1 s budget; and a run at 2×
 * whose task cost doubles halfway.
 *
 * Arrivals are paced by the main thread's timers, in bursts 1–2 ms late,
 * or evenly by a thread of their own (`--arrivals even`, `_arrivals.ts`).
 * A call is *accepted* unless every worker rejected it; its latency runs
 * from its scheduled arrival to its end (a call that ran out of time
 * counts with the time it took). *Goodput*: accepted calls that finished
 * with a result, per second. The figures leave out the first 500 ms of
 * each run. After the cost change, the run is *re-converged* from the
 * first 250 ms window from which every window meets both targets at the
 * new cost (goodput ≥ 90 % of the capacity, p99 ≤ 2× the unloaded p99).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import {
  type BackpressureSpec,
  DispatchTimeout,
  NoWorkersAvailable,
  WorkerPool,
} from "@wool/core";
import type { Budget } from "./_config.ts";
import { runClosedLoop, runSequential } from "./_load.ts";
import { percentile } from "./_stats.ts";
import { type Arrivals, PACERS } from "./_arrivals.ts";

/** Offered load, as multiples of the measured capacity. */
export const ADAPTIVE_LOADS: readonly number[] = [1, 2, 5, 10];
/** CPU time of one task, in milliseconds. */
export const ADAPTIVE_TASK_MS = 5;
/** The targets: goodput share, p99 ratio, re-convergence time. */
export const ADAPTIVE_TARGETS = Object.freeze({
  goodputShare: 0.9,
  p99Ratio: 2,
  settleMs: 2000,
});
/** Each call's budget, so a run ends however far behind it falls. */
const CALL_TIMEOUT_MS = 1000;
const WARM_UP_MS = 500;
/**
 * Calls in flight while measuring capacity: enough that the worker's
 * thread never waits for the next call's round trip, and reads its frames
 * in batches as it does under overload (on this machine the rate still
 * grows 5 % from 8 to 32 in flight).
 */
const CAPACITY_IN_FLIGHT = 32;
const WINDOW_MS = 250;

const CPU_TASKS = new URL("./fixtures/cpu_tasks.ts", import.meta.url).href;
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));

/** The hooks compared, by the name the report gives them. */
export const ADAPTIVE_HOOKS: readonly {
  readonly name: string;
  readonly spec?: BackpressureSpec;
}[] = [
  { name: "no hook" },
  { name: "maxActive(1)", spec: builtIn("maxActive", { limit: 1 }) },
  { name: "maxActive(4)", spec: builtIn("maxActive", { limit: 4 }) },
  { name: "adaptiveConcurrency()", spec: builtIn("adaptiveConcurrency", {}) },
];

/** How one call ended. */
type Outcome = "done" | "rejected" | "timed-out";

/** One call of an open-loop run, its times from the run's start. */
interface CallRecord {
  /** When it was due. */
  readonly arrivedMs: number;
  /** When the generator sent it: `arrivedMs` plus the generator's lag. */
  readonly sentMs: number;
  readonly endedMs: number;
  readonly outcome: Outcome;
}

/** The figures of one span of a run. */
export interface SpanFigures {
  /** Accepted calls that finished with a result, per second. */
  readonly goodputPerSecond: number;
  /** p99 latency of the accepted calls that arrived in the span. */
  readonly p99Ms: number;
  readonly offered: number;
  readonly rejected: number;
  readonly timedOut: number;
  /**
   * p99 of how late the generator sent the calls that arrived in the span
   * (already inside `p99Ms`, which runs from the due time). Absent from
   * results older than the ticker (`_ticker.ts`).
   */
  readonly lagP99Ms?: number;
}

/** One hook at one load. */
export interface AdaptiveRun extends SpanFigures {
  readonly hook: string;
  readonly multiple: number;
}

/** One hook through the cost change. */
export interface CostChangeRun {
  readonly hook: string;
  /** Before the change, against the base cost's capacity and p99. */
  readonly before: SpanFigures;
  /** After the change, against the doubled cost's. */
  readonly after: SpanFigures;
  /** Milliseconds from the change until it re-converged; `null`: never. */
  readonly settleMs: number | null;
}

/** The section's results. */
export interface AdaptiveResults {
  readonly taskMs: number;
  readonly callTimeoutMs: number;
  /** How arrivals were paced (`_arrivals.ts`); absent: `"timer"`. */
  readonly arrivals?: Arrivals;
  /** Per cost (the task's, and twice it): capacity and unloaded p99. */
  readonly baseline: {
    readonly capacityPerSecond: number;
    readonly unloadedP99Ms: number;
    readonly doubledCapacityPerSecond: number;
    readonly doubledUnloadedP99Ms: number;
  };
  readonly runs: readonly AdaptiveRun[];
  readonly costChange: {
    readonly multiple: number;
    readonly runs: readonly CostChangeRun[];
  };
}

/** Runs the section. */
export async function measureAdaptive(
  budget: Budget,
  arrivals: Arrivals = "timer",
): Promise<AdaptiveResults> {
  const base = await measureBaseline(ADAPTIVE_TASK_MS, budget);
  const doubled = await measureBaseline(2 * ADAPTIVE_TASK_MS, budget);
  const runs: AdaptiveRun[] = [];
  for (const multiple of ADAPTIVE_LOADS) {
    for (const hook of ADAPTIVE_HOOKS) {
      const durationMs = WARM_UP_MS + budget.adaptiveLoadMs;
      const records = await offer(hook.spec, {
        ratePerSecond: multiple * base.capacityPerSecond,
        durationMs,
        costMs: () => ADAPTIVE_TASK_MS,
        arrivals,
      });
      runs.push({
        hook: hook.name,
        multiple,
        ...spanFigures(records, WARM_UP_MS, durationMs),
      });
    }
  }
  const changeMultiple = 2;
  const changeAtMs = WARM_UP_MS + budget.adaptiveChangeMs / 2;
  const endMs = WARM_UP_MS + budget.adaptiveChangeMs;
  const changeRuns: CostChangeRun[] = [];
  for (const hook of ADAPTIVE_HOOKS) {
    const records = await offer(hook.spec, {
      ratePerSecond: changeMultiple * base.capacityPerSecond,
      durationMs: endMs,
      costMs: (atMs) =>
        atMs < changeAtMs ? ADAPTIVE_TASK_MS : 2 * ADAPTIVE_TASK_MS,
      arrivals,
    });
    const settle = settleTimeMs(
      records,
      changeAtMs,
      endMs,
      (f) =>
        f.goodputPerSecond >=
          ADAPTIVE_TARGETS.goodputShare * doubled.capacityPerSecond &&
        f.p99Ms <= ADAPTIVE_TARGETS.p99Ratio * doubled.unloadedP99Ms,
    );
    changeRuns.push({
      hook: hook.name,
      before: spanFigures(records, WARM_UP_MS, changeAtMs),
      after: spanFigures(records, changeAtMs, endMs),
      settleMs: Number.isFinite(settle) ? settle : null,
    });
  }
  return {
    taskMs: ADAPTIVE_TASK_MS,
    callTimeoutMs: CALL_TIMEOUT_MS,
    arrivals,
    baseline: {
      capacityPerSecond: base.capacityPerSecond,
      unloadedP99Ms: base.unloadedP99Ms,
      doubledCapacityPerSecond: doubled.capacityPerSecond,
      doubledUnloadedP99Ms: doubled.unloadedP99Ms,
    },
    runs,
    costChange: { multiple: changeMultiple, runs: changeRuns },
  };
}

/** Capacity and unloaded p99 of one worker with no hook, at `costMs`. */
async function measureBaseline(
  costMs: number,
  budget: Budget,
): Promise<{ capacityPerSecond: number; unloadedP99Ms: number }> {
  await using pool = await startPool(undefined);
  const call = () =>
    pool.dispatch({ module: CPU_TASKS, export: "cpu", args: [costMs] });
  const unloaded = await runSequential(call, {
    iterations: budget.adaptiveBaselineCalls,
    rounds: Math.min(3, budget.sequentialRounds),
    warmup: 20,
  });
  const capacity = await runClosedLoop(call, {
    concurrency: CAPACITY_IN_FLIGHT,
    durationMs: budget.loadMs,
    rounds: budget.rounds,
  });
  return {
    capacityPerSecond: capacity.perSecond,
    unloadedP99Ms: unloaded.latency.p99Ms,
  };
}

async function startPool(
  backpressure: BackpressureSpec | undefined,
): Promise<WorkerPool> {
  const pool = await WorkerPool.start({
    spawn: 1,
    worker: { config: CONFIG },
    ...(backpressure === undefined ? {} : { backpressure }),
  });
  // The task module imported before the clock starts.
  await pool.dispatch({ module: CPU_TASKS, export: "cpu", args: [0] });
  return pool;
}

/**
 * Offers calls at `ratePerSecond` for `durationMs` to a fresh one-worker
 * pool with `backpressure`, each costing `costMs(its arrival)`, and
 * records how each ended.
 */
async function offer(
  backpressure: BackpressureSpec | undefined,
  options: {
    readonly ratePerSecond: number;
    readonly durationMs: number;
    readonly costMs: (atMs: number) => number;
    readonly arrivals: Arrivals;
  },
): Promise<CallRecord[]> {
  await using pool = await startPool(backpressure);
  const intervalMs = 1000 / options.ratePerSecond;
  const total = Math.round(options.durationMs / intervalMs);
  const records: CallRecord[] = [];
  const pending: Promise<void>[] = [];
  let started = 0;
  await PACERS[options.arrivals](intervalMs, total, (index, dueMs) => {
    if (index === 0) started = dueMs;
    const arrivedMs = dueMs - started;
    const sentMs = performance.now() - started;
    const call = pool.dispatch({
      module: CPU_TASKS,
      export: "cpu",
      args: [options.costMs(arrivedMs)],
      timeoutMs: CALL_TIMEOUT_MS,
    });
    pending.push(
      call.then(
        () => "done" as const,
        (error: unknown) => {
          if (error instanceof NoWorkersAvailable) return "rejected" as const;
          if (error instanceof DispatchTimeout) return "timed-out" as const;
          throw error;
        },
      ).then((outcome) => {
        records.push({
          arrivedMs,
          sentMs,
          endedMs: performance.now() - started,
          outcome,
        });
      }),
    );
  });
  await Promise.all(pending);
  return records;
}

/** The figures of `[fromMs, toMs)` of a run. */
function spanFigures(
  records: readonly CallRecord[],
  fromMs: number,
  toMs: number,
): SpanFigures {
  const arrived = records.filter((r) =>
    r.arrivedMs >= fromMs && r.arrivedMs < toMs
  );
  const accepted = arrived.filter((r) => r.outcome !== "rejected");
  const finished =
    records.filter((r) =>
      r.outcome === "done" && r.endedMs >= fromMs && r.endedMs < toMs
    ).length;
  return {
    goodputPerSecond: finished * 1000 / (toMs - fromMs),
    p99Ms: percentile(accepted.map((r) => r.endedMs - r.arrivedMs), 99),
    offered: arrived.length,
    rejected: arrived.length - accepted.length,
    timedOut: accepted.filter((r) => r.outcome === "timed-out").length,
    lagP99Ms: percentile(arrived.map((r) => r.sentMs - r.arrivedMs), 99),
  };
}

/**
 * Milliseconds from `changeMs` until the run is good for good: the start
 * of the first window from which every window up to `endMs` meets `good`;
 * `Infinity` when the last one does not.
 */
function settleTimeMs(
  records: readonly CallRecord[],
  changeMs: number,
  endMs: number,
  good: (figures: SpanFigures) => boolean,
): number {
  let settledAt = Infinity;
  for (
    let start = endMs - WINDOW_MS;
    start >= changeMs;
    start -= WINDOW_MS
  ) {
    if (!good(spanFigures(records, start, start + WINDOW_MS))) break;
    settledAt = start;
  }
  return settledAt - changeMs;
}

function builtIn(name: string, options: Record<string, number>) {
  return { module: "@wool/core/backpressure", export: name, options };
}
