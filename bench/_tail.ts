/**
 * Where a closed-loop run's latency tail comes from, for `bench/tail.ts`:
 * the stalls (spans in which no call completed), and what each process was
 * doing meanwhile — a garbage-collection pause (from `--trace-gc`), an
 * event loop that did not come round (a lag probe), or nothing.
 *
 * All times are milliseconds since the epoch, so spans of different
 * processes compare.
 *
 * @module
 */
import type { Calibration, LagSpan } from "./fixtures/probe.ts";

/** One garbage-collection pause as `--trace-gc` prints it. */
export interface GcEvent {
  readonly pid: number;
  /** `Scavenge`, `Mark-Compact`, `Incremental Mark-Compact`, … */
  readonly kind: string;
  /** When it was printed (its end), in ms since V8 started. */
  readonly v8Ms: number;
  /** How long the main thread was paused, in ms. */
  readonly pauseMs: number;
  /** True for a collection forced by `gc()` (the calibration). */
  readonly forced: boolean;
}

const GC_LINE =
  /\[(\d+):0x[0-9a-f]+\]\s+(\d+) ms: ([A-Za-z][A-Za-z -]*?)(?: \([^)]*\))? [\d.]+ \([\d.]+\) -> [\d.]+ \([\d.]+\) MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms/;

/** Parses one `--trace-gc` line (anywhere in `line`); `undefined` if none. */
export function parseGcLine(line: string): GcEvent | undefined {
  const match = GC_LINE.exec(line);
  if (!match) return undefined;
  return {
    pid: Number(match[1]),
    kind: match[3].trim(),
    v8Ms: Number(match[2]),
    pauseMs: Number(match[4]),
    forced: line.includes(" testing"),
  };
}

/** A span of time in one process, in ms since the epoch. */
export interface Span {
  readonly pid: number;
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * Places each process's GC pauses on the epoch clock, using its forced
 * collection: `calibration.endMs` is when `gc()` returned, and the same
 * collection's `v8Ms` is on V8's clock. Events of a process with no
 * calibration (or no forced event) are dropped. Resolution: 1 ms, that of
 * `--trace-gc`.
 */
export function alignGcEvents(
  events: readonly GcEvent[],
  calibrations: readonly Calibration[],
): (Span & { readonly kind: string; readonly pauseMs: number })[] {
  const offsets = new Map<number, number>();
  for (const calibration of calibrations) {
    const forced = events.findLast((e) =>
      e.pid === calibration.pid && e.forced
    );
    if (forced) offsets.set(calibration.pid, calibration.endMs - forced.v8Ms);
  }
  return events.filter((e) => !e.forced && offsets.has(e.pid)).map((e) => {
    const endMs = e.v8Ms + offsets.get(e.pid)!;
    return {
      pid: e.pid,
      kind: e.kind,
      pauseMs: e.pauseMs,
      startMs: endMs - e.pauseMs,
      endMs,
    };
  });
}

/** Lag spans as spans of time. */
export function lagSpans(lags: readonly LagSpan[]): Span[] {
  return lags.map((lag) => ({
    pid: lag.pid,
    startMs: lag.atMs,
    endMs: lag.atMs + lag.lagMs,
  }));
}

/**
 * The stalls of a run: every gap longer than `minGapMs` between two
 * consecutive completions (`ends` need not be sorted).
 */
export function findStalls(
  ends: ArrayLike<number>,
  minGapMs: number,
): { startMs: number; endMs: number }[] {
  const sorted = Float64Array.from(ends).sort();
  const stalls = [];
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] - sorted[i - 1] > minGapMs) {
      stalls.push({ startMs: sorted[i - 1], endMs: sorted[i] });
    }
  }
  return stalls;
}

/**
 * How much of the stalls' time `spans` cover (each stall's overlap with
 * the union of the spans), in ms.
 */
export function coveredMs(
  stalls: readonly { startMs: number; endMs: number }[],
  spans: readonly { startMs: number; endMs: number }[],
): number {
  const sorted = [...spans].sort((a, b) => a.startMs - b.startMs);
  let covered = 0;
  for (const stall of stalls) {
    let cursor = stall.startMs;
    for (const span of sorted) {
      if (span.endMs <= cursor) continue;
      if (span.startMs >= stall.endMs) break;
      const from = Math.max(cursor, span.startMs);
      const to = Math.min(stall.endMs, span.endMs);
      if (to > from) {
        covered += to - from;
        cursor = to;
      }
    }
  }
  return covered;
}

/** Sum and count of spans, e.g. a process's GC pauses. */
export function totalMs(spans: readonly Span[]): number {
  return spans.reduce((sum, s) => sum + (s.endMs - s.startMs), 0);
}

/**
 * Time one process's threads spent runnable but waiting for a CPU, from
 * `/proc/<pid>/task/<tid>/schedstat` (Linux), in ms: all threads, and the
 * main thread alone. `NaN` when it cannot be read.
 */
export function readRunQueueWaitMs(
  pid: number,
): { all: number; main: number } {
  let all = 0;
  let main = NaN;
  try {
    for (const entry of Deno.readDirSync(`/proc/${pid}/task`)) {
      const fields = Deno.readTextFileSync(
        `/proc/${pid}/task/${entry.name}/schedstat`,
      ).trim().split(" ");
      const waitMs = Number(fields[1]) / 1e6;
      all += waitMs;
      if (entry.name === String(pid)) main = waitMs;
    }
  } catch {
    return { all: NaN, main: NaN };
  }
  return { all, main };
}
