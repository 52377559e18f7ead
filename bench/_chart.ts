/**
 * The overload chart of the benchmark report (`docs/bench.svg`):
 * accepted-task p99 latency against offered load, with and without a
 * `maxActive` hook.
 *
 * @module
 */
import type { OverloadResults } from "./_pool.ts";
import { WORKERS } from "./_pool.ts";
import { TARGET_OVERLOAD_P99_RATIO } from "./_report.ts";
import { renderLineChart } from "./_svg.ts";
import { formatMs, formatPercent, formatRate } from "./_table.ts";

/** Renders the overload chart: accepted p99 vs offered load, both pools. */
export function renderOverloadChart(
  overload: OverloadResults,
  subtitle: string,
): string {
  const base = overload.levels.find((l) => l.multiple === 1);
  const label = (ms: number) => formatMs(ms);
  return renderLineChart({
    title: "Accepted-task p99 latency under overload (open loop)",
    subtitle,
    xLabel: `Offered load (× measured capacity of ${
      formatRate(overload.capacity.measured.perSecond)
    }: ${WORKERS} workers × ${overload.slotsPerWorker} slots, ${overload.taskMs} ms tasks)`,
    yLabel: "p99 latency of accepted tasks (ms, log scale)",
    yScale: "log",
    xTicks: overload.levels.map((l) => ({
      x: l.multiple,
      label: `${l.multiple}× (${formatRate(l.withHook.ratePerSecond)})`,
    })),
    series: [
      {
        name: `maxActive(${overload.slotsPerWorker})`,
        color: "#1f77b4",
        labels: "below",
        points: overload.levels.map((l) => ({
          x: l.multiple,
          y: l.withHook.latency.p99Ms,
          label: `${label(l.withHook.latency.p99Ms)}, ${
            formatPercent(l.withHook.rejected / l.withHook.offered)
          } rej.`,
        })),
      },
      {
        name: "no hook",
        color: "#d62728",
        points: overload.levels.map((l) => ({
          x: l.multiple,
          y: l.withoutHook.latency.p99Ms,
          label: label(l.withoutHook.latency.p99Ms),
        })),
      },
    ],
    references: base
      ? [{
        y: base.withHook.latency.p99Ms * TARGET_OVERLOAD_P99_RATIO,
        label: "target: 2× hook's 1×",
        color: "#7f7f7f",
      }]
      : [],
  });
}
