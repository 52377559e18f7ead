/**
 * Sections 2–5 of the benchmark: the pool itself, two workers on this
 * machine, over loopback.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import {
  LeastInFlightLoadBalancer,
  NoWorkersAvailable,
  type Transport,
  WorkerPool,
  type WorkerPoolOptions,
} from "@wool/core";
import type { Budget } from "./_config.ts";
import {
  type ClosedLoopResult,
  type OpenLoopResult,
  type Outcome,
  runClosedLoop,
  runOpenLoop,
  runSequential,
  type SequentialResult,
} from "./_load.ts";
import {
  CpuMeter,
  type CpuPerTask,
  peakRssBytes,
  readProcStatusBytes,
  RssSampler,
} from "./_proc.ts";
import { type LatencySummary, Samples, summarize } from "./_stats.ts";
import { workerCommand } from "../tests/_helpers/worker_command.ts";
import { onPath } from "../tests/_helpers/on_path.ts";

/** Worker processes of every pool the benchmark starts. */
export const WORKERS = 2;
/** Values the generator benchmark's routine yields per call. */
export const GENERATOR_VALUES = 100;

/**
 * What every pool of the benchmark is started with: two workers, using the
 * project's `deno.json` whatever the main module (so a script outside the
 * project can import these functions).
 */
const BASE = {
  spawn: WORKERS,
  worker: { config: fileURLToPath(new URL("../deno.json", import.meta.url)) },
} as const;

const TASKS = new URL("./fixtures/tasks.ts", import.meta.url).href;
const ACCEPT_ALL = new URL("./fixtures/accept_all.ts", import.meta.url).href;
const REJECT_ALL = new URL("./fixtures/reject_all.ts", import.meta.url).href;

/** Section 2: a trivial coroutine and a generator on one transport. */
export interface TrivialResults {
  readonly transport: Transport;
  readonly sequential: SequentialResult;
  readonly c64: ClosedLoopResult;
  /** CPU per task at concurrency 64: the caller's, and each worker's. */
  readonly c64Cpu: CpuPerTask;
  readonly c256: ClosedLoopResult;
  /**
   * Concurrency 64 again on a pool with `LeastInFlightLoadBalancer` (the
   * session transport only), measured right after the round-robin one.
   */
  readonly c64LeastInFlight?: ClosedLoopResult;
  /**
   * Concurrency 1 on a pool of one worker (the session transport only):
   * the shape of the floor, one client and one server process. The
   * two-worker `sequential` sends each call to the other worker in turn.
   * Absent from results older than this measurement.
   */
  readonly sequentialOneWorker?: SequentialResult;
  /**
   * Concurrency 64 again with the workers under `SCHED_BATCH`
   * (`worker.schedulingPolicy: "batch"`; the session transport only, on
   * Linux with util-linux's `chrt`). Absent from older results.
   */
  readonly c64Batch?: ClosedLoopResult;
  /**
   * Concurrency 64 on a pool of one worker (the session transport only):
   * on a 2-core machine, the caller and one worker have a core each, where
   * two workers make three busy processes (bench/README.md, round 21).
   * Absent from older results.
   */
  readonly c64OneWorker?: ClosedLoopResult;
  readonly generator: {
    readonly calls: number;
    readonly valuesPerCall: number;
    /** Time per call, all values pulled. */
    readonly total: LatencySummary;
    /** Median call time divided by the values it yields. */
    readonly perValueMs: number;
  };
}

/** Measures `add(1, 2)` at concurrency 1, 64 and 256, and `count(100)`. */
export async function measureTrivial(
  transport: Transport,
  budget: Budget,
): Promise<TrivialResults> {
  await using pool = await WorkerPool.start({ ...BASE, transport });
  const add = () =>
    pool.dispatch({ module: TASKS, export: "add", args: [1, 2] });
  const sequential = await runSequential(add, {
    iterations: budget.sequentialIterations,
    rounds: budget.sequentialRounds,
  });
  const accepted = () => {
    const byId = new Map(pool.stats().workers.map((w) => [w.id, w.accepted]));
    return pool.workers.map((w) => byId.get(w.id) ?? NaN);
  };
  let added = 0;
  const acceptedBefore = accepted();
  const meter = new CpuMeter(pool.workers.map((w) => w.pid));
  const c64 = await runClosedLoop(async () => {
    await add();
    added++;
  }, {
    concurrency: 64,
    durationMs: budget.loadMs,
    rounds: budget.rounds,
  });
  const c64Cpu = meter.stop(
    added,
    accepted().map((n, i) => n - acceptedBefore[i]),
  );
  const c256 = await runClosedLoop(add, {
    concurrency: 256,
    durationMs: budget.loadMs,
    rounds: budget.rounds,
  });
  const pull = async () => {
    let seen = 0;
    for await (
      const _ of pool.dispatch({
        module: TASKS,
        export: "count",
        args: [GENERATOR_VALUES],
      })
    ) seen++;
    if (seen !== GENERATOR_VALUES) {
      throw new Error(`count(${GENERATOR_VALUES}) yielded ${seen} values`);
    }
  };
  const generator = await runSequential(pull, {
    iterations: budget.generatorCalls,
  });
  return {
    transport,
    sequential,
    c64,
    c64Cpu,
    c256,
    ...(transport === "session"
      ? {
        c64LeastInFlight: await measureC64(budget, {
          loadBalancer: new LeastInFlightLoadBalancer(),
        }),
        sequentialOneWorker: await measureOneWorker(budget),
        c64OneWorker: await measureC64(budget, { spawn: 1 }),
        ...(BATCH_AVAILABLE
          ? {
            c64Batch: await measureC64(budget, {
              worker: { ...BASE.worker, schedulingPolicy: "batch" },
            }),
          }
          : {}),
      }
      : {}),
    generator: {
      calls: generator.completed,
      valuesPerCall: GENERATOR_VALUES,
      total: generator.latency,
      perValueMs: generator.latency.p50Ms / GENERATOR_VALUES,
    },
  };
}

/**
 * `add(1, 2)` at concurrency 64 on a pool started with `options` over the
 * benchmark's own: a balancer, a worker option, a worker count.
 */
async function measureC64(
  budget: Budget,
  options: WorkerPoolOptions,
): Promise<ClosedLoopResult> {
  await using pool = await WorkerPool.start({ ...BASE, ...options });
  const add = () =>
    pool.dispatch({ module: TASKS, export: "add", args: [1, 2] });
  return await runClosedLoop(add, {
    concurrency: 64,
    durationMs: budget.loadMs,
    rounds: budget.rounds,
  });
}

/** Whether workers can run under `SCHED_BATCH` here (Linux, `chrt`). */
const BATCH_AVAILABLE = Deno.build.os === "linux" && onPath("chrt");

async function measureOneWorker(budget: Budget): Promise<SequentialResult> {
  await using pool = await WorkerPool.start({ ...BASE, spawn: 1 });
  const add = () =>
    pool.dispatch({ module: TASKS, export: "add", args: [1, 2] });
  return await runSequential(add, {
    iterations: budget.sequentialIterations,
    rounds: budget.sequentialRounds,
  });
}

/** Section 3: accepted vs rejected dispatches on one transport. */
export interface RejectionResults {
  readonly transport: Transport;
  /** Every worker's hook accepts (`fixtures/accept_all.ts`). */
  readonly accepted: {
    readonly sequential: SequentialResult;
    readonly c64: ClosedLoopResult;
  };
  /**
   * Every worker's hook rejects (`fixtures/reject_all.ts`): each call asks
   * both workers, then fails with `NoWorkersAvailable`.
   */
  readonly rejected: {
    readonly sequential: SequentialResult;
    readonly c64: ClosedLoopResult;
  };
}

/** Measures accepted and all-rejected dispatches at concurrency 1 and 64. */
export async function measureRejection(
  transport: Transport,
  budget: Budget,
): Promise<RejectionResults> {
  const call = { module: TASKS, export: "add", args: [1, 2] };
  const measure = async (op: () => Promise<unknown>) => ({
    sequential: await runSequential(op, {
      iterations: budget.sequentialIterations,
      rounds: budget.sequentialRounds,
    }),
    c64: await runClosedLoop(op, {
      concurrency: 64,
      durationMs: budget.loadMs,
      rounds: budget.rounds,
    }),
  });
  let accepted;
  {
    await using pool = await WorkerPool.start({
      ...BASE,
      transport,
      backpressure: ACCEPT_ALL,
    });
    accepted = await measure(() => pool.dispatch(call));
  }
  let rejected;
  {
    await using pool = await WorkerPool.start({
      ...BASE,
      transport,
      backpressure: REJECT_ALL,
    });
    rejected = await measure(() =>
      pool.dispatch(call).then(
        () => {
          throw new Error("reject_all.ts accepted a task");
        },
        (error) => {
          if (!(error instanceof NoWorkersAvailable)) throw error;
        },
      )
    );
  }
  return { transport, accepted, rejected };
}

/** The offered load multiples of the overload benchmark. */
export const OVERLOAD_MULTIPLES: readonly number[] = [1, 2, 3];

/** One open-loop run of the overload benchmark. */
export interface OverloadRun extends OpenLoopResult {
  /** Largest `VmHWM` of the pool's workers at the end of the run. */
  readonly peakWorkerRssBytes: number;
}

/** Section 4: open-loop overload with and without a `maxActive` hook. */
export interface OverloadResults {
  readonly taskMs: number;
  /** Slots of each worker's resource (`fixtures/tasks.ts` `work`), and the hook's limit. */
  readonly slotsPerWorker: number;
  readonly capacity: {
    /** `workers × slots / taskMs`. */
    readonly theoreticalPerSecond: number;
    /** Closed loop at `workers × slots` in flight, with the hook. */
    readonly measured: ClosedLoopResult;
  };
  readonly levels: readonly {
    readonly multiple: number;
    readonly withHook: OverloadRun;
    readonly withoutHook: OverloadRun;
  }[];
}

/**
 * Measures overload: each worker has a resource of `slots` slots, and each
 * task holds one for `taskMs` (`fixtures/tasks.ts` `work`). The pool's
 * capacity is measured first (closed loop at `workers × slots` in flight,
 * which the hook never rejects); then arrivals come at 1×, 2× and 3× that
 * rate, to a fresh pool each time, with a `maxActive({ limit: slots })`
 * hook and without one.
 */
export async function measureOverload(
  budget: Budget,
  options: { readonly slotsPerWorker: number; readonly taskMs: number },
): Promise<OverloadResults> {
  const { slotsPerWorker, taskMs } = options;
  const hook = {
    module: "@wool/core/backpressure",
    export: "maxActive",
    options: { limit: slotsPerWorker },
  };
  const call = {
    module: TASKS,
    export: "work",
    args: [taskMs, slotsPerWorker],
  };
  let measured: ClosedLoopResult;
  {
    await using pool = await WorkerPool.start({
      ...BASE,
      backpressure: hook,
      admissionWaitMs: 10_000,
    });
    measured = await runClosedLoop(() => pool.dispatch(call), {
      concurrency: WORKERS * slotsPerWorker,
      durationMs: budget.loadMs,
      rounds: budget.rounds,
    });
  }
  const levels = [];
  for (const multiple of OVERLOAD_MULTIPLES) {
    const ratePerSecond = measured.perSecond * multiple;
    const run = async (withHook: boolean): Promise<OverloadRun> => {
      await using pool = await WorkerPool.start({
        ...BASE,
        ...(withHook ? { backpressure: hook } : {}),
      });
      await pool.dispatch({ module: TASKS, export: "add", args: [1, 2] });
      const pids = pool.workers.map((w) => w.pid);
      const op = (): Promise<Outcome> =>
        pool.dispatch(call).then(
          () => "accepted" as const,
          (error) => {
            if (withHook && error instanceof NoWorkersAvailable) {
              return "rejected" as const;
            }
            throw error;
          },
        );
      const sampler = new RssSampler(pids);
      let result: OpenLoopResult;
      let sampled: number;
      try {
        result = await runOpenLoop(op, {
          ratePerSecond,
          durationMs: budget.overloadMs,
        });
      } finally {
        sampled = sampler.stop();
      }
      const hwm = peakRssBytes(pids);
      return {
        ...result,
        peakWorkerRssBytes: Number.isFinite(hwm) ? hwm : sampled,
      };
    };
    levels.push({
      multiple,
      withHook: await run(true),
      withoutHook: await run(false),
    });
  }
  return {
    taskMs,
    slotsPerWorker,
    capacity: {
      theoreticalPerSecond: (WORKERS * slotsPerWorker * 1000) / taskMs,
      measured,
    },
    levels,
  };
}

/** Section 5: cold start and idle memory. */
export interface StartupResults {
  /** `WorkerPool.start({ spawn: 2 })` until it resolves, per start. */
  readonly readyMs: LatencySummary;
  /** Largest `VmRSS` of the workers right after the pool is ready. */
  readonly idleRssAfterReadyBytes: number;
  /** Largest `VmRSS` of the workers, idle after 1,000 trivial tasks. */
  readonly idleRssAfterWorkBytes: number;
  /** Largest `VmRSS` of the workers, idle after 10,000 more. */
  readonly idleRssAfterMoreWorkBytes: number;
  /**
   * A worker's heap in use after full collections (a worker run with
   * `--expose-gc`), after 1,000 tasks and after 10,000 more: whether what
   * it keeps grows with the tasks it ran. RSS alone cannot say: V8 grows
   * its young generation with the allocation rate, up to a fixed maximum.
   */
  readonly retainedHeapBytes: { afterWork: number; afterMoreWork: number };
}

/**
 * Starts a 2-worker pool `budget.coldStarts` times (after one unmeasured
 * start, which warms Deno's module cache) and measures start → ready;
 * reads the workers' RSS when idle.
 */
export async function measureStartup(budget: Budget): Promise<StartupResults> {
  const ready = new Samples();
  let afterReady = 0;
  let afterWork = 0;
  let afterMoreWork = 0;
  for (let i = 0; i <= budget.coldStarts; i++) {
    const t0 = performance.now();
    await using pool = await WorkerPool.start(BASE);
    const elapsed = performance.now() - t0;
    if (i === 0) continue;
    ready.add(elapsed);
    const pids = pool.workers.map((w) => w.pid);
    afterReady = Math.max(afterReady, ...pids.map(rssOf));
    if (i === budget.coldStarts) {
      const add = () =>
        pool.dispatch({ module: TASKS, export: "add", args: [1, 2] });
      const idleRss = async (tasks: number) => {
        for (let n = 0; n < tasks; n += 50) {
          await Promise.all(Array.from({ length: 50 }, add));
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
        return Math.max(...pids.map(rssOf));
      };
      afterWork = await idleRss(1_000);
      afterMoreWork = await idleRss(10_000);
    }
  }
  return {
    readyMs: summarize(ready.values()),
    idleRssAfterReadyBytes: afterReady,
    idleRssAfterWorkBytes: afterWork,
    idleRssAfterMoreWorkBytes: afterMoreWork,
    retainedHeapBytes: await measureRetainedHeap(),
  };
}

/** See {@linkcode StartupResults.retainedHeapBytes}. */
async function measureRetainedHeap(): Promise<
  StartupResults["retainedHeapBytes"]
> {
  await using pool = await WorkerPool.start({
    spawn: 1,
    worker: workerCommand("--v8-flags=--expose-gc"),
  });
  const add = () =>
    pool.dispatch({ module: TASKS, export: "add", args: [1, 2] });
  const retainedAfter = async (tasks: number) => {
    for (let n = 0; n < tasks; n += 50) {
      await Promise.all(Array.from({ length: 50 }, add));
    }
    return await pool.dispatch({
      module: TASKS,
      export: "retainedHeapBytes",
      args: [],
    }) as number;
  };
  const afterWork = await retainedAfter(1_000);
  return { afterWork, afterMoreWork: await retainedAfter(10_000) };
}

function rssOf(pid: number): number {
  return readProcStatusBytes(pid, "VmRSS");
}
