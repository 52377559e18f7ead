/**
 * Where an overloaded worker's time goes, task by task: the diagnostic
 * behind the overload bench's goodput (`_adaptive.ts`). One worker runs
 * `fixtures/cpu_tasks.ts` `cpuTimed(5)` (5 ms of CPU in 1 ms slices) under
 * a hook, offered a multiple of its capacity in open-loop arrivals; each
 * task answers with its start, end and the wall time between its slices,
 * by the worker's clock. Printed per load:
 *
 * - goodput: tasks finished per second, as a share of the capacity (no
 *   hook, 32 calls in flight, measured first);
 * - per task: wall time, CPU time, time in its yields (the event loop's
 *   turns between slices, where the worker reads, decides and answers the
 *   calls that arrived meanwhile), and the gap from its end to the next
 *   task's start (answering the result, admitting the next);
 * - the worker's main thread: its share of the wall time on a CPU and
 *   waiting for one (`/proc/<pid>/task/<pid>/schedstat`, Linux).
 *
 *     deno run -A bench/overload_gaps.ts                     # maxActive(1), 2× and 10×
 *     deno run -A bench/overload_gaps.ts --hook adaptiveConcurrency --loads 1,2,5,10
 *     deno run -A bench/overload_gaps.ts --arrivals timer --seconds 6
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import {
  type BackpressureSpec,
  NoWorkersAvailable,
  WorkerPool,
} from "@wool/core";
import { PACERS } from "./_arrivals.ts";
import { runClosedLoop } from "./_load.ts";
import type { TaskTimes } from "./fixtures/cpu_tasks.ts";

const CPU_TASKS = new URL("./fixtures/cpu_tasks.ts", import.meta.url).href;
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));
const TASK_MS = 5;
const WARM_UP_MS = 500;

const HOOKS: Readonly<Record<string, BackpressureSpec | undefined>> = {
  none: undefined,
  maxActive: builtIn("maxActive", { limit: 1 }),
  adaptiveConcurrency: builtIn("adaptiveConcurrency", {}),
};

const { values } = parseArgs({
  args: Deno.args,
  options: {
    hook: { type: "string", default: "maxActive" },
    loads: { type: "string", default: "2,10" },
    arrivals: { type: "string", default: "even" },
    seconds: { type: "string", default: "4" },
  },
});
if (!(values.hook in HOOKS)) {
  throw new TypeError(
    `overload_gaps: --hook must be one of ${
      Object.keys(HOOKS).join(", ")
    }, received ${values.hook}`,
  );
}
if (values.arrivals !== "even" && values.arrivals !== "timer") {
  throw new TypeError(
    `overload_gaps: --arrivals must be "even" or "timer", received ${values.arrivals}`,
  );
}
const arrivals = values.arrivals;
const loads = values.loads.split(",").map(Number);
const durationMs = Number(values.seconds) * 1000;
if (loads.some((load) => !(load > 0)) || !(durationMs > WARM_UP_MS)) {
  throw new RangeError(
    `overload_gaps: --loads must be positive numbers and --seconds more than ${
      WARM_UP_MS / 1000
    }`,
  );
}

const capacity = await measureCapacity();
console.log(
  `One worker, cpuTimed(${TASK_MS}), hook ${values.hook}, ${arrivals} arrivals: capacity ${
    capacity.toFixed(0)
  } tasks/s (no hook, 32 in flight).\n`,
);
console.log(
  "| load | goodput | rejected | wall/task | CPU/task | in yields | gap to next | main thread on CPU · waiting |",
);
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const load of loads) console.log(await offer(load));

async function startPool(spec: BackpressureSpec | undefined) {
  const pool = await WorkerPool.start({
    spawn: 1,
    worker: { config: CONFIG },
    ...(spec === undefined ? {} : { backpressure: spec }),
  });
  await pool.dispatch({ module: CPU_TASKS, export: "cpuTimed", args: [0] });
  return pool;
}

async function measureCapacity(): Promise<number> {
  await using pool = await startPool(undefined);
  const result = await runClosedLoop(
    () =>
      pool.dispatch({ module: CPU_TASKS, export: "cpuTimed", args: [TASK_MS] }),
    { concurrency: 32, durationMs: 2000, rounds: 1 },
  );
  return result.perSecond;
}

/** One load: offers it, and returns its table row. */
async function offer(load: number): Promise<string> {
  await using pool = await startPool(HOOKS[values.hook]);
  const pid = pool.workers[0].pid;
  const intervalMs = 1000 / (load * capacity);
  const warmUpArrivals = Math.round(WARM_UP_MS / intervalMs);
  const times: TaskTimes[] = [];
  const pending: Promise<void>[] = [];
  let rejected = 0;
  let from: { at: number; thread: Schedstat } | undefined;
  let closed = false;
  await PACERS[arrivals](
    intervalMs,
    Math.round(durationMs / intervalMs),
    (index) => {
      if (index === warmUpArrivals) {
        from = { at: performance.now(), thread: readSchedstat(pid) };
      }
      const measured = index >= warmUpArrivals;
      pending.push(
        pool.dispatch<TaskTimes>({
          module: CPU_TASKS,
          export: "cpuTimed",
          args: [TASK_MS],
          timeoutMs: 1000,
        }).then((t) => {
          if (measured && !closed) times.push(t);
        }, (error: unknown) => {
          if (!(error instanceof NoWorkersAvailable)) throw error;
          if (measured) rejected++;
        }),
      );
    },
  );
  const until = { at: performance.now(), thread: readSchedstat(pid) };
  closed = true;
  await Promise.all(pending);
  if (from === undefined || times.length < 2) {
    return `| ${load}× | too few tasks to tell | | | | | | |`;
  }
  const wallMs = until.at - from.at;
  times.sort((a, b) => a.startMs - b.startMs);
  let gapMs = 0;
  for (let i = 1; i < times.length; i++) {
    gapMs += times[i].startMs - times[i - 1].endMs;
  }
  const mean = (f: (t: TaskTimes) => number) =>
    times.reduce((sum, t) => sum + f(t), 0) / times.length;
  const onCpu = (until.thread.runNs - from.thread.runNs) / 1e6 / wallMs;
  const waiting = (until.thread.waitNs - from.thread.waitNs) / 1e6 / wallMs;
  const goodput = times.length * 1000 / wallMs;
  return [
    `${load}×`,
    `${goodput.toFixed(0)}/s (${percent(goodput / capacity)})`,
    `${rejected}`,
    `${mean((t) => t.endMs - t.startMs).toFixed(3)} ms`,
    `${(mean((t) => t.spentUs) / 1000).toFixed(3)} ms`,
    `${mean((t) => t.yieldMs).toFixed(3)} ms`,
    `${(gapMs / (times.length - 1)).toFixed(3)} ms`,
    `${percent(onCpu)} · ${percent(waiting)}`,
  ].reduce((row, cell) => `${row} ${cell} |`, "|");
}

interface Schedstat {
  readonly runNs: number;
  readonly waitNs: number;
}

/** The main thread's time on a CPU and waiting for one, so far. */
function readSchedstat(pid: number): Schedstat {
  const [runNs, waitNs] = Deno.readTextFileSync(
    `/proc/${pid}/task/${pid}/schedstat`,
  ).split(" ").map(Number);
  return { runNs, waitNs };
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

function builtIn(
  name: string,
  options: Record<string, number>,
): BackpressureSpec {
  return { module: "@wool/core/backpressure", export: name, options };
}
