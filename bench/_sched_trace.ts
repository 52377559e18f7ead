/**
 * Reads the kernel's scheduler trace (ftrace `sched:sched_switch` and
 * `sched:sched_wakeup`, as `/sys/kernel/tracing/trace` prints them) and
 * says, per thread role (the caller's main thread, its helper threads, each
 * worker's, idle, other), how long each ran, how long it waited runnable
 * for a CPU, how much of that wait a CPU stood idle, and why its long waits
 * began: preempted, or woken onto a CPU that was busy (with another CPU idle
 * at that moment, idle later in the wait, or busy throughout). Used by
 * `sched_trace.ts`; pure, so it is tested on a written trace.
 *
 * @module
 */

/** A `sched_switch`: `prevTid` leaves `cpu` in `prevState`, `nextTid` runs. */
export interface SwitchEvent {
  readonly kind: "switch";
  readonly ms: number;
  readonly cpu: number;
  readonly prevTid: number;
  /** `R` or `R+` when preempted (still runnable), `S`, `D`, … otherwise. */
  readonly prevState: string;
  readonly nextTid: number;
}

/** A `sched_wakeup`: `tid` became runnable, queued on `targetCpu`. */
export interface WakeupEvent {
  readonly kind: "wakeup";
  readonly ms: number;
  readonly tid: number;
  readonly targetCpu: number;
}

/** A `trace_marker` line: `text` written at `ms`. */
export interface MarkEvent {
  readonly kind: "mark";
  readonly ms: number;
  readonly text: string;
}

export type TraceEvent = SwitchEvent | WakeupEvent | MarkEvent;

const LINE = /\[(\d+)\]\s+\S+\s+(\d+\.\d+): (\w+): (.*)$/;

/** Parses one line of the trace; `undefined` for any other line. */
export function parseTraceLine(line: string): TraceEvent | undefined {
  const match = LINE.exec(line);
  if (!match) return undefined;
  const cpu = Number(match[1]);
  const ms = Number(match[2]) * 1000;
  const body = match[4];
  switch (match[3]) {
    case "sched_switch": {
      const m = /prev_pid=(\d+) .*prev_state=(\S+) ==> .*next_pid=(\d+)/
        .exec(body);
      if (!m) return undefined;
      return {
        kind: "switch",
        ms,
        cpu,
        prevTid: Number(m[1]),
        prevState: m[2],
        nextTid: Number(m[3]),
      };
    }
    case "sched_wakeup": {
      const m = / pid=(\d+) .*target_cpu=(\d+)/.exec(body);
      if (!m) return undefined;
      return {
        kind: "wakeup",
        ms,
        tid: Number(m[1]),
        targetCpu: Number(m[2]),
      };
    }
    case "tracing_mark_write":
      return { kind: "mark", ms, text: body };
    default:
      return undefined;
  }
}

/** A span of time, in trace milliseconds. */
interface Span {
  readonly startMs: number;
  readonly endMs: number;
}

/** How a long wait began. */
export type WaitCause =
  | "preempted"
  | "woken onto an idle CPU"
  | "woken onto a busy CPU, another idle"
  | "woken onto a busy CPU, another idle later in the wait"
  | "woken onto a busy CPU, the others busy throughout";

/** What one role did over the trace. */
export interface RoleSummary {
  readonly role: string;
  readonly runMs: number;
  /** Runnable, not running. */
  readonly waitMs: number;
  /** Of `waitMs`, the time at least one CPU was idle. */
  readonly waitWithIdleCpuMs: number;
  readonly waits: number;
  /** Waits of more than `longWaitMs`, by how each began. */
  readonly longWaits: ReadonlyMap<WaitCause, { count: number; ms: number }>;
}

/** A gap between completions, and what each role did in it. */
export interface Gap extends Span {
  readonly ranMs: ReadonlyMap<string, number>;
  readonly waitedMs: ReadonlyMap<string, number>;
}

/** The analysis of one traced run. */
export interface SchedAnalysis {
  /**
   * Switches the trace left out and the analysis put back (see
   * {@linkcode analyzeSched}).
   */
  readonly inferredSwitches: number;
  readonly spanMs: number;
  readonly cpus: number;
  readonly idleMs: number;
  readonly roles: readonly RoleSummary[];
  /** Gaps between completions longer than `gapMs`, longest first. */
  readonly gaps: readonly Gap[];
}

/** What {@linkcode analyzeSched} needs besides the events. */
export interface AnalyzeOptions {
  /** The role of a thread; `undefined` makes it "other". Tid 0 is "idle". */
  readonly roleOf: (tid: number) => string | undefined;
  /** When calls completed, in trace milliseconds. */
  readonly completionsMs: readonly number[];
  readonly gapMs: number;
  readonly longWaitMs: number;
}

const IDLE = "idle";
const OTHER = "other";

/**
 * Per role: time run, time waited and why; the gaps between completions.
 * Where a CPU's switches do not chain (a switch away from a thread the
 * trace never switched to — some kernels leave out exits from the idle
 * loop), the missing switch is put back at the thread's wakeup when that
 * came after the previous switch, else right after the previous switch.
 */
export function analyzeSched(
  events: readonly TraceEvent[],
  options: AnalyzeOptions,
): SchedAnalysis {
  const roleOf = (tid: number) =>
    tid === 0 ? IDLE : options.roleOf(tid) ?? OTHER;
  const runs: (Span & { cpu: number; tid: number })[] = [];
  const waits: (Span & { tid: number; cause?: WakeCause })[] = [];
  const current = new Map<number, { since: number; tid: number }>();
  const pending = new Map<number, { since: number; cause: WakeCause }>();
  const running = new Set<number>();
  let inferredSwitches = 0;
  /** `tid` starts running on `cpu` at `ms`: its wait, if any, ends. */
  const switchIn = (cpu: number, ms: number, tid: number) => {
    const on = current.get(cpu);
    if (on) {
      runs.push({ startMs: on.since, endMs: ms, cpu, tid: on.tid });
      running.delete(on.tid);
    }
    current.set(cpu, { since: ms, tid });
    if (tid !== 0) running.add(tid);
    const waiting = pending.get(tid);
    if (waiting) {
      pending.delete(tid);
      waits.push({
        startMs: waiting.since,
        endMs: ms,
        tid,
        cause: waiting.cause,
      });
    }
  };
  for (const event of events) {
    if (event.kind === "wakeup") {
      // A thread woken as it was about to sleep is still running: no wait.
      if (!pending.has(event.tid) && !running.has(event.tid)) {
        pending.set(event.tid, {
          since: event.ms,
          cause: { woken: true, cpu: event.targetCpu },
        });
      }
      continue;
    }
    if (event.kind !== "switch") continue;
    const on = current.get(event.cpu);
    if (on && on.tid !== event.prevTid) {
      // The switch to `prevTid` is missing from the trace (some kernels
      // do not trace every exit from the idle loop): it came when
      // `prevTid` was woken, if that was after `on` began, else at once.
      const woken = pending.get(event.prevTid)?.since ?? -Infinity;
      switchIn(
        event.cpu,
        Math.max(on.since, Math.min(woken, event.ms)),
        event.prevTid,
      );
      inferredSwitches++;
    }
    switchIn(event.cpu, event.ms, event.nextTid);
    if (event.prevTid !== 0 && event.prevState.startsWith("R")) {
      pending.set(event.prevTid, {
        since: event.ms,
        cause: { woken: false, cpu: event.cpu },
      });
    }
  }
  const cpus = new Set(runs.map((r) => r.cpu)).size;
  const idleByCpu = new Map<number, Span[]>();
  for (const run of runs) {
    if (run.tid !== 0) continue;
    const list = idleByCpu.get(run.cpu) ?? [];
    list.push(run);
    idleByCpu.set(run.cpu, list);
  }
  const anyIdle = mergeSpans([...idleByCpu.values()].flat());
  const idleOn = (cpu: number, ms: number) =>
    (idleByCpu.get(cpu) ?? []).some((s) => s.startMs <= ms && ms < s.endMs);
  const idleElsewhere = (cpu: number, span: Span) => {
    let later = false;
    for (const [other, spans] of idleByCpu) {
      if (other === cpu) continue;
      for (const s of spans) {
        if (s.startMs <= span.startMs && span.startMs < s.endMs) return "now";
        if (span.startMs < s.startMs && s.startMs < span.endMs) later = true;
      }
    }
    return later ? "later" : "never";
  };
  const causeOf = (wait: Span & { cause?: WakeCause }): WaitCause => {
    const cause = wait.cause!;
    if (!cause.woken) return "preempted";
    if (idleOn(cause.cpu, wait.startMs)) return "woken onto an idle CPU";
    const elsewhere = idleElsewhere(cause.cpu, wait);
    return elsewhere === "now"
      ? "woken onto a busy CPU, another idle"
      : elsewhere === "later"
      ? "woken onto a busy CPU, another idle later in the wait"
      : "woken onto a busy CPU, the others busy throughout";
  };
  const byRole = new Map<string, {
    runMs: number;
    waitMs: number;
    waitWithIdleCpuMs: number;
    waits: number;
    longWaits: Map<WaitCause, { count: number; ms: number }>;
  }>();
  const roleEntry = (role: string) => {
    let entry = byRole.get(role);
    if (!entry) {
      entry = {
        runMs: 0,
        waitMs: 0,
        waitWithIdleCpuMs: 0,
        waits: 0,
        longWaits: new Map(),
      };
      byRole.set(role, entry);
    }
    return entry;
  };
  for (const run of runs) roleEntry(roleOf(run.tid)).runMs += spanMs(run);
  for (const wait of waits) {
    const entry = roleEntry(roleOf(wait.tid));
    entry.waitMs += spanMs(wait);
    entry.waitWithIdleCpuMs += overlapMs(wait, anyIdle);
    entry.waits++;
    if (spanMs(wait) > options.longWaitMs) {
      const cause = causeOf(wait);
      const slot = entry.longWaits.get(cause) ?? { count: 0, ms: 0 };
      slot.count++;
      slot.ms += spanMs(wait);
      entry.longWaits.set(cause, slot);
    }
  }
  const ends = [...options.completionsMs].sort((a, b) => a - b);
  const gaps: Gap[] = [];
  for (let i = 1; i < ends.length; i++) {
    if (ends[i] - ends[i - 1] <= options.gapMs) continue;
    const gap = { startMs: ends[i - 1], endMs: ends[i] };
    const ranMs = new Map<string, number>();
    const waitedMs = new Map<string, number>();
    for (const run of runs) {
      const ms = overlapMs(gap, [run]);
      if (ms > 0) add(ranMs, roleOf(run.tid), ms);
    }
    for (const wait of waits) {
      const ms = overlapMs(gap, [wait]);
      if (ms > 0) add(waitedMs, roleOf(wait.tid), ms);
    }
    gaps.push({ ...gap, ranMs, waitedMs });
  }
  gaps.sort((a, b) => spanMs(b) - spanMs(a));
  const times = events.map((e) => e.ms);
  return {
    inferredSwitches,
    spanMs: times.length ? Math.max(...times) - Math.min(...times) : 0,
    cpus,
    idleMs: [...idleByCpu.values()].flat().reduce((s, r) => s + spanMs(r), 0),
    roles: [...byRole].map(([role, entry]) => ({ role, ...entry }))
      .sort((a, b) => b.runMs + b.waitMs - a.runMs - a.waitMs),
    gaps,
  };
}

/** Where a thread's wait began: on a wakeup onto `cpu`, or preempted there. */
interface WakeCause {
  readonly woken: boolean;
  readonly cpu: number;
}

function spanMs(span: Span): number {
  return span.endMs - span.startMs;
}

function add(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}

/** The union of some spans, sorted and without overlaps. */
function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.startMs - b.startMs);
  const merged: { startMs: number; endMs: number }[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last && span.startMs <= last.endMs) {
      last.endMs = Math.max(last.endMs, span.endMs);
    } else merged.push({ ...span });
  }
  return merged;
}

/** How long `span` overlaps `spans` (sorted, without overlaps). */
function overlapMs(span: Span, spans: readonly Span[]): number {
  let low = 0;
  let high = spans.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (spans[mid].endMs <= span.startMs) low = mid + 1;
    else high = mid;
  }
  let total = 0;
  for (let i = low; i < spans.length && spans[i].startMs < span.endMs; i++) {
    total += Math.min(span.endMs, spans[i].endMs) -
      Math.max(span.startMs, spans[i].startMs);
  }
  return total;
}
