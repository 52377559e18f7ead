/**
 * Simulated overload figures for the learning hooks: a deterministic model
 * of one worker (`tests/_helpers/worker_sim.ts`), no processes, no timing.
 * It tunes defaults; the benchmark over real workers is `deno task bench`.
 *
 * ```sh
 * deno run bench/adaptive_sim.ts                       # the default model
 * deno run bench/adaptive_sim.ts --cost-ms 10 --decide-ms 0.02
 * ```
 *
 * For each hook (none, `maxActive` at the right limit and at 4× it,
 * `adaptiveConcurrency` with each algorithm and every default), at 1×, 2×,
 * 5× and 10× the worker's capacity: goodput (accepted tasks finished per
 * second, as a share of capacity) and accepted p99 (as a multiple of the
 * unloaded p99); then the same at 2× with the task cost doubling halfway,
 * with the time the hook took to be within both targets again in every
 * 250 ms window after the change.
 *
 * Two workers are modelled: CPU-bound tasks on the worker's one thread
 * (the right limit is 1), and mixed tasks that await `--io-ms` of I/O
 * before `--mixed-cost-ms` of CPU (the right limit is about
 * `1 + io / cost`, and halves when the cost doubles).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { maxActive } from "../src/backpressure/max_active.ts";
import { adaptiveConcurrencyWithClock } from "../src/backpressure/adaptive_concurrency.ts";
import {
  type HookMaker,
  type Scenario,
  simulateCpuWorker,
} from "../tests/_helpers/worker_sim.ts";
import { settleTimeMs, spanFigures } from "../tests/_helpers/sim_metrics.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    "cost-ms": { type: "string", default: "5" },
    "decide-ms": { type: "string", default: "0.05" },
    "overhead-ms": { type: "string", default: "0.3" },
    "io-ms": { type: "string", default: "10" },
    "mixed-cost-ms": { type: "string", default: "2" },
    "duration-ms": { type: "string", default: "6000" },
  },
});

const DECIDE_MS = Number(flags["decide-ms"]);
const OVERHEAD_MS = Number(flags["overhead-ms"]);
const DURATION_MS = Number(flags["duration-ms"]);
const LOADS = [1, 2, 5, 10];
/** Figures skip the first half second, while a hook starts. */
const WARM_UP_MS = 500;
const WINDOW_MS = 250;

/** One modelled worker: its task shape and the right fixed limit. */
interface Model {
  readonly name: string;
  readonly costMs: number;
  readonly ioMs: number;
  readonly rightLimit: number;
}

const models: Model[] = [
  {
    name: "CPU-bound",
    costMs: Number(flags["cost-ms"]),
    ioMs: 0,
    rightLimit: 1,
  },
  {
    name: "mixed",
    costMs: Number(flags["mixed-cost-ms"]),
    ioMs: Number(flags["io-ms"]),
    rightLimit: Math.round(
      1 + Number(flags["io-ms"]) / Number(flags["mixed-cost-ms"]),
    ),
  },
];

function scenario(
  model: Model,
  load: number,
  costMs: (atMs: number) => number,
): Scenario {
  return {
    durationMs: DURATION_MS,
    decideCostMs: DECIDE_MS,
    overheadMs: OVERHEAD_MS,
    streams: [{
      perSecond: load * capacity(model.costMs),
      costMs,
      ioMs: () => model.ioMs,
    }],
  };
}

function capacity(costMs: number): number {
  return 1000 / (costMs + DECIDE_MS);
}

function unloadedP99(model: Model, costMs: number): number {
  const run = simulateCpuWorker(
    () => null,
    scenario(model, 0.05, () => costMs),
  );
  return spanFigures(run, 0, DURATION_MS).p99Ms;
}

function hooks(model: Model): [string, HookMaker][] {
  return [
    ["no hook", () => null],
    [
      `maxActive(${model.rightLimit})`,
      () => maxActive({ limit: model.rightLimit }),
    ],
    [
      `maxActive(${4 * model.rightLimit})`,
      () => maxActive({ limit: 4 * model.rightLimit }),
    ],
    // The model answers every decision at once: no task is held.
    [
      "adaptive gradient2",
      (clock) => adaptiveConcurrencyWithClock({ handoff: false }, clock),
    ],
    [
      "adaptive aimd",
      (clock) =>
        adaptiveConcurrencyWithClock(
          { algorithm: "aimd", handoff: false },
          clock,
        ),
    ],
  ];
}

function cell(goodput: number, cap: number, p99: number, base: number): string {
  return `${(100 * goodput / cap).toFixed(0)} % · ${(p99 / base).toFixed(2)}×`;
}

function report(model: Model): void {
  const cost = model.costMs;
  const base = unloadedP99(model, cost);
  const doubledBase = unloadedP99(model, 2 * cost);
  console.log(
    `\n## ${model.name}: ${model.ioMs} ms I/O + ${cost} ms CPU per task, ` +
      `capacity ${capacity(cost).toFixed(0)}/s, unloaded p99 ${
        base.toFixed(2)
      } ms (${doubledBase.toFixed(2)} ms at twice the cost)\n`,
  );
  console.log(
    `| hook | ${
      LOADS.map((l) => `${l}×`).join(" | ")
    } | cost ×2 at 2× | settled after |`,
  );
  console.log(`|---|${LOADS.map(() => "---|").join("")}---|---|`);
  for (const [name, make] of hooks(model)) {
    const cells = LOADS.map((load) => {
      const run = simulateCpuWorker(make, scenario(model, load, () => cost));
      const f = spanFigures(run, WARM_UP_MS, DURATION_MS);
      return cell(f.goodput, capacity(cost), f.p99Ms, base);
    });
    const changeMs = DURATION_MS / 2;
    const run = simulateCpuWorker(
      make,
      scenario(model, 2, (atMs) => atMs < changeMs ? cost : 2 * cost),
    );
    const after = spanFigures(run, changeMs, DURATION_MS);
    const doubledCapacity = capacity(2 * cost);
    const settled = settleTimeMs(
      run,
      changeMs,
      DURATION_MS,
      WINDOW_MS,
      (f) => f.goodput >= 0.9 * doubledCapacity && f.p99Ms <= 2 * doubledBase,
    );
    console.log(
      `| ${name} | ${cells.join(" | ")} | ${
        cell(after.goodput, doubledCapacity, after.p99Ms, doubledBase)
      } | ${Number.isFinite(settled) ? `${settled} ms` : "never"} |`,
    );
  }
}

console.log(
  `Cells: goodput as a share of capacity · accepted p99 as a multiple of the unloaded p99.` +
    ` Decision ${DECIDE_MS} ms of CPU, ${OVERHEAD_MS} ms outside the worker, ${DURATION_MS} ms per run.`,
);
for (const model of models) report(model);
