/**
 * How fast the host is letting this machine run, measured from inside it.
 * On a virtual machine the host may give the virtual CPUs less time, or
 * share their caches with a busy neighbour, and nothing inside shows it:
 * not the load average, not other processes' share of the CPU, not steal
 * time (this development VM reports none). Yet every figure slows with it.
 * Within one hour here a C loop of 800M steps took 0.50 s and then
 * 1.03–1.14 s, a walk through 4 MiB went from 17–24 to 91–112 ns a step,
 * and the pool's rate at concurrency 64 fell from 78k to 31–47k tasks/s
 * with them (bench/README.md, round 22).
 *
 * Two probes, each the best of three timings (a timing this machine's own
 * processes interrupted says less about the host than the quickest):
 * - `loopMs`: a fixed integer loop — the share of real time the CPU gets;
 * - `walkNs`: a dependent walk through a random cycle over 4 MiB — the
 *   caches and memory, which a neighbour can slow while the loop keeps its
 *   speed.
 *
 * `deno task bench` probes at the start, before each section and at the
 * end, and says whether the host held its speed through the run and how it
 * compares with the previous run.
 *
 * @module
 */

/** Iterations of {@linkcode probeLoop} (~50 ms on the development VM at full speed). */
export const LOOP_ITERATIONS = 25_000_000;
/** Bytes {@linkcode CacheWalk} walks through: past a core's L2, within L3. */
export const WALK_BYTES = 4 * 1024 * 1024;
/** Steps of one timed walk. */
export const WALK_STEPS = 2_000_000;

/** One probe of the host's speed. */
export interface HostProbe {
  /** Where in the run it was taken, e.g. `"start"`, `"before pool"`, `"end"`. */
  readonly at: string;
  /** Milliseconds the fixed loop took (best of three). */
  readonly loopMs: number;
  /** Nanoseconds per step of the 4 MiB walk (best of three). */
  readonly walkNs: number;
}

/**
 * The fixed loop: xorshift32 steps whose low bits are summed, so the
 * compiler can neither drop nor fold it. Returns the sum, the same for the
 * same `iterations`.
 */
export function probeLoop(iterations: number): number {
  let x = 0x9e3779b9 | 0;
  let sum = 0;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    sum = (sum + (x & 0xff)) | 0;
  }
  return sum;
}

/**
 * A random cycle through every slot of an `Int32Array` (Sattolo's
 * shuffle, with a fixed seed): each step's address depends on the last,
 * so the walk runs at the speed of the caches and memory behind it.
 */
export class CacheWalk {
  readonly #next: Int32Array;

  /** @param bytes The array's size (rounded down to whole slots, at least 2). */
  constructor(bytes: number) {
    const slots = Math.max(2, Math.floor(bytes / 4));
    const next = new Int32Array(slots);
    for (let i = 0; i < slots; i++) next[i] = i;
    let seed = 12345;
    for (let i = slots - 1; i > 0; i--) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const j = Math.floor((seed / 2 ** 32) * i);
      const swap = next[i];
      next[i] = next[j];
      next[j] = swap;
    }
    this.#next = next;
  }

  /** Slots in the cycle. */
  get length(): number {
    return this.#next.length;
  }

  /** Takes `steps` steps from slot 0 and returns the slot it ends on. */
  walk(steps: number): number {
    const next = this.#next;
    let slot = 0;
    for (let i = 0; i < steps; i++) slot = next[slot];
    return slot;
  }
}

/** Runs both probes, each the best of `rounds` timings. */
export function probeHost(
  at: string,
  walk: CacheWalk,
  rounds = 3,
): HostProbe {
  let loopMs = Infinity;
  let walkNs = Infinity;
  for (let round = 0; round < rounds; round++) {
    let t0 = performance.now();
    probeLoop(LOOP_ITERATIONS);
    loopMs = Math.min(loopMs, performance.now() - t0);
    t0 = performance.now();
    walk.walk(WALK_STEPS);
    walkNs = Math.min(walkNs, ((performance.now() - t0) * 1e6) / WALK_STEPS);
  }
  return { at, loopMs, walkNs };
}

/** What a run's probes say about its host's speed. */
export interface HostVerdict {
  /** The slowest loop over the fastest (1 = steady). */
  readonly loopSpread: number;
  /** The slowest walk over the fastest. */
  readonly walkSpread: number;
  /** The probes at least `threshold` × the best on either measure. */
  readonly slow: readonly HostProbe[];
}

/**
 * Compares a run's probes with the best of them: how far each measure
 * spread, and which probes were at least `threshold` × the best on either
 * (the sections measured after them ran on a slower host).
 */
export function judgeHost(
  probes: readonly HostProbe[],
  threshold = 1.25,
): HostVerdict {
  const loops = probes.map((probe) => probe.loopMs).filter(Number.isFinite);
  const walks = probes.map((probe) => probe.walkNs).filter(Number.isFinite);
  if (loops.length === 0 || walks.length === 0) {
    return { loopSpread: NaN, walkSpread: NaN, slow: [] };
  }
  const bestLoop = Math.min(...loops);
  const bestWalk = Math.min(...walks);
  return {
    loopSpread: Math.max(...loops) / bestLoop,
    walkSpread: Math.max(...walks) / bestWalk,
    slow: probes.filter((probe) =>
      probe.loopMs >= threshold * bestLoop ||
      probe.walkNs >= threshold * bestWalk
    ),
  };
}

/** The best of each measure over a run's probes. */
export function bestOf(
  probes: readonly HostProbe[],
): { loopMs: number; walkNs: number } {
  return {
    loopMs: Math.min(...probes.map((probe) => probe.loopMs)),
    walkNs: Math.min(...probes.map((probe) => probe.walkNs)),
  };
}

/**
 * The lines a run prints about its host: each measure's range; against
 * the previous run's best when one is given; and, when either spread
 * reaches `threshold`, a warning naming the slow probes.
 */
export function describeHost(
  probes: readonly HostProbe[],
  previous?: {
    readonly loopMs: number;
    readonly walkNs: number;
    readonly startedAt: string;
  },
  threshold = 1.25,
): string[] {
  const verdict = judgeHost(probes, threshold);
  if (!Number.isFinite(verdict.loopSpread)) return [];
  const best = bestOf(probes);
  const worstLoop = Math.max(...probes.map((probe) => probe.loopMs));
  const worstWalk = Math.max(...probes.map((probe) => probe.walkNs));
  const lines = [
    `Host probes (${probes.length}): a fixed loop ${best.loopMs.toFixed(0)}–${
      worstLoop.toFixed(0)
    } ms, a 4 MiB walk ${best.walkNs.toFixed(1)}–${
      worstWalk.toFixed(1)
    } ns a step${
      previous
        ? `; at best ${(best.loopMs / previous.loopMs).toFixed(2)}× and ${
          (best.walkNs / previous.walkNs).toFixed(2)
        }× the previous run's (${previous.startedAt}: ${
          previous.loopMs.toFixed(0)
        } ms, ${previous.walkNs.toFixed(1)} ns)`
        : ""
    }.`,
  ];
  if (verdict.slow.length > 0) {
    lines.push(
      `Warning: the host slowed this machine during the run (${
        verdict.slow.map((probe) =>
          `${probe.at}: ${probe.loopMs.toFixed(0)} ms, ${
            probe.walkNs.toFixed(1)
          } ns`
        ).join("; ")
      }). The sections measured after a slow probe understate the pool and its floors alike, and ratios between sections mislead; rerun when the probes hold steady.`,
    );
  }
  return lines;
}
