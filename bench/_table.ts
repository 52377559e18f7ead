/**
 * Markdown tables and number formatting for the benchmark reports.
 *
 * @module
 */

/** Column alignment in a markdown table. */
export type Align = "left" | "right";

/**
 * Renders a GitHub-flavoured markdown table, padding cells so the source
 * reads as a table too. A `|` inside a cell is escaped.
 *
 * @throws {RangeError} when a row's length differs from the header's.
 */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  for (const [i, row] of rows.entries()) {
    if (row.length !== header.length) {
      throw new RangeError(
        `Row ${i} has ${row.length} cells, the header ${header.length}`,
      );
    }
  }
  const escape = (cell: string) => cell.replaceAll("|", "\\|");
  const all = [header, ...rows].map((row) => row.map(escape));
  const widths = header.map((_, c) =>
    Math.max(3, ...all.map((row) => [...row[c]].length))
  );
  const pad = (cell: string, c: number) => {
    const fill = " ".repeat(widths[c] - [...cell].length);
    return align[c] === "right" ? fill + cell : cell + fill;
  };
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, c) => pad(cell, c)).join(" | ")} |`;
  const rule = `|${
    widths.map((w, c) =>
      align[c] === "right" ? ` ${"-".repeat(w - 1)}: ` : ` ${"-".repeat(w)} `
    ).join("|")
  }|`;
  return [line(all[0]), rule, ...all.slice(1).map(line)].join("\n");
}

/** A duration in milliseconds, as µs below 1 ms, else ms (or s). */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "n/a";
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A rate per second, e.g. `9.4k tasks/s`. */
export function formatRate(perSecond: number, unit = "tasks/s"): string {
  if (!Number.isFinite(perSecond)) return "n/a";
  if (perSecond >= 10_000) return `${(perSecond / 1000).toFixed(1)}k ${unit}`;
  if (perSecond >= 1000) return `${(perSecond / 1000).toFixed(2)}k ${unit}`;
  return `${Math.round(perSecond)} ${unit}`;
}

/** A ratio, e.g. `1.23×`; `n/a` when not finite. */
export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : "n/a";
}

/** Bytes as MiB, e.g. `48.2 MiB`. */
export function formatMiB(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : "n/a";
}

/** A fraction as a percentage, e.g. `66.4%`. */
export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)}%` : "n/a";
}
