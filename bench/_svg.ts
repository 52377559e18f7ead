/**
 * A small, dependency-free SVG line chart writer for the benchmark report
 * (`docs/bench.svg`): a few series of points over a numeric x axis, on a
 * linear or logarithmic y axis, with a legend and optional horizontal
 * reference lines.
 *
 * @module
 */

/** One point of a series. */
export interface ChartPoint {
  readonly x: number;
  readonly y: number;
  /** Text written next to the point; none when absent. */
  readonly label?: string;
}

/** One line of the chart. */
export interface ChartSeries {
  readonly name: string;
  /** A CSS colour. */
  readonly color: string;
  readonly points: readonly ChartPoint[];
  /** Draw the line dashed. @default {false} */
  readonly dashed?: boolean;
  /** Where point labels go. @default {"above"} */
  readonly labels?: "above" | "below";
}

/** A horizontal line across the plot, e.g. a target. */
export interface ChartReference {
  readonly y: number;
  readonly label: string;
  readonly color: string;
}

/** What {@linkcode renderLineChart} draws. */
export interface LineChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** Ticks of the x axis: value and its text. */
  readonly xTicks: readonly { readonly x: number; readonly label: string }[];
  /** @default {"linear"} */
  readonly yScale?: "linear" | "log";
  readonly references?: readonly ChartReference[];
  /** @default {760} */
  readonly width?: number;
  /** @default {440} */
  readonly height?: number;
}

const MARGIN = { top: 64, right: 150, bottom: 56, left: 72 } as const;

/**
 * Renders a line chart as a standalone SVG document. Points whose `y` is
 * not a positive finite number (for a log axis) or not finite (for a
 * linear one) are left out.
 *
 * @throws {RangeError} when there is no point to draw.
 */
export function renderLineChart(options: LineChartOptions): string {
  const width = options.width ?? 760;
  const height = options.height ?? 440;
  const log = options.yScale === "log";
  const drawable = (y: number) => Number.isFinite(y) && (!log || y > 0);
  const ys = [
    ...options.series.flatMap((s) => s.points.map((p) => p.y)),
    ...(options.references ?? []).map((r) => r.y),
  ].filter(drawable);
  const xs = [
    ...options.series.flatMap((s) => s.points.map((p) => p.x)),
    ...options.xTicks.map((t) => t.x),
  ].filter(Number.isFinite);
  if (ys.length === 0 || xs.length === 0) {
    throw new RangeError("Cannot draw a chart without a finite point");
  }
  const plot = {
    left: MARGIN.left,
    top: MARGIN.top,
    width: width - MARGIN.left - MARGIN.right,
    height: height - MARGIN.top - MARGIN.bottom,
  };
  const [xMin, xMax] = padRange(Math.min(...xs), Math.max(...xs), 0.08);
  const yTicks = log
    ? logTicks(Math.min(...ys), Math.max(...ys))
    : linearTicks(0, Math.max(...ys));
  const yMin = yTicks[0];
  const yMax = yTicks[yTicks.length - 1];
  const sx = (x: number) =>
    plot.left + ((x - xMin) / (xMax - xMin)) * plot.width;
  const sy = (y: number) => {
    const t = log
      ? (Math.log10(y) - Math.log10(yMin)) /
        (Math.log10(yMax) - Math.log10(yMin))
      : (y - yMin) / (yMax - yMin);
    return plot.top + plot.height - t * plot.height;
  };

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(plot.left, 26, options.title, {
      size: 16,
      weight: "600",
    }),
  );
  if (options.subtitle) {
    out.push(text(plot.left, 46, options.subtitle, { color: "#555555" }));
  }
  // Grid and y ticks.
  for (const tick of yTicks) {
    const y = round(sy(tick));
    out.push(
      `<line x1="${plot.left}" y1="${y}" x2="${
        plot.left + plot.width
      }" y2="${y}" stroke="#e5e5e5"/>`,
      text(plot.left - 8, y + 4, formatTick(tick), { anchor: "end" }),
    );
  }
  // X ticks.
  for (const tick of options.xTicks) {
    const x = round(sx(tick.x));
    out.push(
      `<line x1="${x}" y1="${plot.top + plot.height}" x2="${x}" y2="${
        plot.top + plot.height + 5
      }" stroke="#333333"/>`,
      text(x, plot.top + plot.height + 19, tick.label, { anchor: "middle" }),
    );
  }
  // Axes and their labels.
  out.push(
    `<line x1="${plot.left}" y1="${plot.top}" x2="${plot.left}" y2="${
      plot.top + plot.height
    }" stroke="#333333"/>`,
    `<line x1="${plot.left}" y1="${plot.top + plot.height}" x2="${
      plot.left + plot.width
    }" y2="${plot.top + plot.height}" stroke="#333333"/>`,
    text(
      plot.left + plot.width / 2,
      height - 14,
      options.xLabel,
      { anchor: "middle" },
    ),
    `<text x="18" y="${
      round(plot.top + plot.height / 2)
    }" text-anchor="middle" ` +
      `transform="rotate(-90 18 ${
        round(plot.top + plot.height / 2)
      })" fill="#222222">${escapeXml(options.yLabel)}</text>`,
  );
  for (const reference of options.references ?? []) {
    if (!drawable(reference.y)) continue;
    const y = round(sy(reference.y));
    out.push(
      `<line x1="${plot.left}" y1="${y}" x2="${
        plot.left + plot.width
      }" y2="${y}" stroke="${
        escapeXml(reference.color)
      }" stroke-dasharray="2 4"/>`,
      text(plot.left + plot.width - 4, y - 5, reference.label, {
        anchor: "end",
        color: reference.color,
      }),
    );
  }
  // Series.
  for (const series of options.series) {
    const points = series.points.filter((p) =>
      drawable(p.y) && Number.isFinite(p.x)
    );
    if (points.length === 0) continue;
    const color = escapeXml(series.color);
    const d = points.map((p, i) =>
      `${i === 0 ? "M" : "L"}${round(sx(p.x))},${round(sy(p.y))}`
    ).join(" ");
    out.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="2.5"${
        series.dashed ? ' stroke-dasharray="6 4"' : ""
      }/>`,
    );
    for (const p of points) {
      const x = round(sx(p.x));
      const y = round(sy(p.y));
      out.push(`<circle cx="${x}" cy="${y}" r="4" fill="${color}"/>`);
      if (p.label) {
        const below = series.labels === "below";
        out.push(
          text(x + 7, below ? y + 17 : y - 8, p.label, { color: series.color }),
        );
      }
    }
  }
  // Legend.
  options.series.forEach((series, i) => {
    const y = plot.top + 8 + i * 20;
    const x = plot.left + plot.width + 12;
    out.push(
      `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${
        escapeXml(series.color)
      }" stroke-width="2.5"${series.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
      text(x + 28, y + 4, series.name),
    );
  });
  out.push("</svg>", "");
  return out.join("\n");
}

/** Escapes text for an SVG/XML text node or attribute value. */
export function escapeXml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

/**
 * Ticks of a log axis covering [min, max]: 1, 2 and 5 times each power of
 * ten, from the one at or below `min` to the one at or above `max`.
 */
export function logTicks(min: number, max: number): number[] {
  const steps = [1, 2, 5];
  let exponent = Math.floor(Math.log10(min));
  const ticks: number[] = [];
  let below = 10 ** exponent;
  for (const step of steps) {
    if (step * 10 ** exponent <= min) below = step * 10 ** exponent;
  }
  ticks.push(below);
  while (ticks[ticks.length - 1] < max) {
    const last = ticks[ticks.length - 1];
    const mantissa = Math.round(last / 10 ** exponent);
    const index = steps.indexOf(mantissa);
    if (index === steps.length - 1) {
      exponent++;
      ticks.push(10 ** exponent);
    } else {
      ticks.push(steps[index + 1] * 10 ** exponent);
    }
  }
  return ticks.map(cleanFloat);
}

/** About five evenly spaced "nice" ticks from `min` to at least `max`. */
export function linearTicks(min: number, max: number): number[] {
  if (max <= min) return [min, min + 1];
  const raw = (max - min) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) =>
    s >= raw
  )!;
  const ticks: number[] = [];
  for (let v = min; v < max + step; v += step) ticks.push(cleanFloat(v));
  return ticks;
}

function padRange(min: number, max: number, pad: number): [number, number] {
  if (max === min) return [min - 1, max + 1];
  const span = max - min;
  return [min - span * pad, max + span * pad];
}

function formatTick(value: number): string {
  if (value >= 1000) return `${value / 1000}k`;
  return String(cleanFloat(value));
}

function cleanFloat(value: number): number {
  return Number(value.toPrecision(12));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function text(
  x: number,
  y: number,
  content: string,
  style: {
    anchor?: "start" | "middle" | "end";
    size?: number;
    weight?: string;
    color?: string;
  } = {},
): string {
  const attributes = [
    `x="${round(x)}"`,
    `y="${round(y)}"`,
    style.anchor && style.anchor !== "start"
      ? `text-anchor="${style.anchor}"`
      : "",
    style.size ? `font-size="${style.size}"` : "",
    style.weight ? `font-weight="${style.weight}"` : "",
    `fill="${escapeXml(style.color ?? "#222222")}"`,
  ].filter(Boolean).join(" ");
  return `<text ${attributes}>${escapeXml(content)}</text>`;
}
