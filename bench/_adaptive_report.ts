/**
 * The report of section `adaptive` (`_adaptive.ts`): a table of goodput and
 * accepted p99 per hook and load, the cost change, a pass/miss line per
 * target of `adaptiveConcurrency`, and the chart `docs/adaptive.svg`.
 *
 * @module
 */
import {
  ADAPTIVE_TARGETS,
  type AdaptiveResults,
  type SpanFigures,
} from "./_adaptive.ts";
import { renderLineChart } from "./_svg.ts";
import { formatMs, formatRate, renderTable } from "./_table.ts";

/** The hook the targets are for. */
const ADAPTIVE = "adaptiveConcurrency()";

function cell(figures: SpanFigures, capacity: number, unloaded: number) {
  const share = (100 * figures.goodputPerSecond / capacity).toFixed(0);
  return `${share} % · ${(figures.p99Ms / unloaded).toFixed(1)}×`;
}

/** The section's table and target lines, as markdown. */
export function renderAdaptiveTable(results: AdaptiveResults): string {
  const { baseline, runs, costChange } = results;
  const loads = [...new Set(runs.map((run) => run.multiple))];
  const hooks = [...new Set(runs.map((run) => run.hook))];
  const header = [
    "hook",
    ...loads.map((load) => `${load}×`),
    `cost ×2 at ${costChange.multiple}×: after`,
    "re-converged",
  ];
  const rows = hooks.map((hook) => {
    const change = costChange.runs.find((run) => run.hook === hook);
    return [
      hook,
      ...loads.map((load) => {
        const run = runs.find((r) => r.hook === hook && r.multiple === load);
        return run === undefined
          ? "n/a"
          : cell(run, baseline.capacityPerSecond, baseline.unloadedP99Ms);
      }),
      change === undefined ? "n/a" : cell(
        change.after,
        baseline.doubledCapacityPerSecond,
        baseline.doubledUnloadedP99Ms,
      ),
      change?.settleMs === null || change === undefined
        ? "never"
        : formatMs(change.settleMs),
    ];
  });
  const intro =
    `CPU-bound tasks of ${results.taskMs} ms on one worker: capacity ${
      formatRate(baseline.capacityPerSecond)
    }, unloaded p99 ${formatMs(baseline.unloadedP99Ms)} (at twice the cost: ${
      formatRate(baseline.doubledCapacityPerSecond)
    }, ${formatMs(baseline.doubledUnloadedP99Ms)}). ` +
    `Cells: goodput as a share of capacity · accepted p99 as a multiple of the unloaded p99.`;
  const lags = [...runs, ...costChange.runs.map((run) => run.after)]
    .map((run) => run.lagP99Ms)
    .filter((lag): lag is number => lag !== undefined);
  const pacing = results.arrivals === "even"
    ? "evenly, by a thread of their own"
    : "by the main thread's timers, in bursts";
  const lag = lags.length === 0 ? [] : [
    "",
    `Arrivals paced ${pacing}; sent late by the generator: p99 ${
      formatMs(Math.min(...lags))
    }–${
      formatMs(Math.max(...lags))
    } across the runs (inside the accepted p99s below).`,
  ];
  return [
    intro,
    ...lag,
    "",
    renderTable(header, rows),
    "",
    ...targetLines(results).map((line) => `- ${line}`),
  ].join("\n");
}

/** One line per target of `adaptiveConcurrency`: met or missed, and by what. */
export function targetLines(results: AdaptiveResults): string[] {
  const { baseline, runs, costChange } = results;
  const mine = runs.filter((run) => run.hook === ADAPTIVE);
  const lines: string[] = [];
  for (const run of mine) {
    const share = run.goodputPerSecond / baseline.capacityPerSecond;
    const ratio = run.p99Ms / baseline.unloadedP99Ms;
    lines.push(
      `${
        mark(share >= ADAPTIVE_TARGETS.goodputShare)
      } ${run.multiple}×: goodput ${
        (100 * share).toFixed(0)
      } % of capacity (target ≥ ${100 * ADAPTIVE_TARGETS.goodputShare} %)`,
      `${
        mark(ratio <= ADAPTIVE_TARGETS.p99Ratio)
      } ${run.multiple}×: accepted p99 ${
        ratio.toFixed(2)
      }× unloaded (target ≤ ${ADAPTIVE_TARGETS.p99Ratio}×)${
        run.lagP99Ms === undefined
          ? ""
          : `; calls sent late by the generator: p99 ${formatMs(run.lagP99Ms)}`
      }`,
    );
  }
  const change = costChange.runs.find((run) => run.hook === ADAPTIVE);
  if (change !== undefined) {
    const settled = change.settleMs !== null &&
      change.settleMs <= ADAPTIVE_TARGETS.settleMs;
    lines.push(
      `${mark(settled)} cost doubled at ${costChange.multiple}×: re-converged ${
        change.settleMs === null
          ? "never"
          : `after ${formatMs(change.settleMs)}`
      } (target ≤ ${formatMs(ADAPTIVE_TARGETS.settleMs)})`,
    );
  }
  return lines;
}

function mark(met: boolean): string {
  return met ? "pass" : "MISS";
}

const COLORS: Record<string, string> = {
  "no hook": "#d62728",
  "maxActive(1)": "#1f77b4",
  "maxActive(4)": "#ff7f0e",
  [ADAPTIVE]: "#2ca02c",
};

/** The chart: accepted p99 ÷ unloaded p99 against load, goodput as labels. */
export function renderAdaptiveChart(
  results: AdaptiveResults,
  subtitle: string,
): string {
  const { baseline, runs } = results;
  const loads = [...new Set(runs.map((run) => run.multiple))];
  const hooks = [...new Set(runs.map((run) => run.hook))];
  return renderLineChart({
    title:
      "CPU-bound overload: accepted p99 ÷ unloaded p99 (labels: goodput ÷ capacity)",
    subtitle,
    xLabel: `Offered load (× measured capacity of ${
      formatRate(baseline.capacityPerSecond)
    }: one worker, ${results.taskMs} ms CPU tasks)`,
    yLabel: "accepted p99 ÷ unloaded p99 (log scale)",
    yScale: "log",
    xTicks: loads.map((load) => ({ x: load, label: `${load}×` })),
    series: hooks.map((hook) => ({
      name: hook,
      color: COLORS[hook] ?? "#7f7f7f",
      labels: hook === ADAPTIVE ? "below" : "above",
      dashed: hook === "maxActive(4)",
      points: runs.filter((run) => run.hook === hook).map((run) => ({
        x: run.multiple,
        y: run.p99Ms / baseline.unloadedP99Ms,
        label: `${
          (100 * run.goodputPerSecond / baseline.capacityPerSecond).toFixed(0)
        } %`,
      })),
    })),
    references: [{
      y: ADAPTIVE_TARGETS.p99Ratio,
      label: `target ${ADAPTIVE_TARGETS.p99Ratio}×`,
      color: "#7f7f7f",
    }],
  });
}
