/**
 * Processes for the benchmarks: a child process that reports `ready
 * <port>` and exits when its stdin closes, and memory readings of worker
 * processes from `/proc/<pid>/status` (Linux; `NaN` elsewhere).
 *
 * @module
 */

/** A child process that serves on a loopback port until its stdin closes. */
export interface ServingChild extends AsyncDisposable {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  readonly pid: number;
}

/** How long a child gets to print its ready line, and then to exit. */
const CHILD_TIMEOUT_MS = 30_000;
const EXIT_GRACE_MS = 2_000;

/**
 * Spawns `Deno.execPath() run -A <flags> --config <config> <script>` and
 * waits for its `ready <port>` line. Disposing it closes its stdin, waits for it to
 * exit (killing it after a grace period) and reaps it.
 *
 * @throws {Error} when the child exits or stays silent before it is ready.
 */
export async function spawnServingChild(
  script: URL,
  config: URL,
  flags: readonly string[] = [],
): Promise<ServingChild> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...flags,
      "--config",
      config.pathname,
      script.pathname,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const stdin = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  const dispose = async () => {
    await stdin.close().catch(() => {});
    await reader.cancel().catch(() => {});
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }, EXIT_GRACE_MS);
    await child.status;
    clearTimeout(timer);
  };
  try {
    const line = await readLine(reader, CHILD_TIMEOUT_MS);
    const match = /^ready (\d+)$/.exec(line.trim());
    if (!match) {
      throw new Error(`${script.pathname} did not report ready: "${line}"`);
    }
    return {
      address: `127.0.0.1:${match[1]}`,
      pid: child.pid,
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

async function readLine(
  reader: ReadableStreamDefaultReader<string>,
  timeoutMs: number,
): Promise<string> {
  let buffered = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`No ready line within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    while (!buffered.includes("\n")) {
      const { value, done } = await Promise.race([reader.read(), timeout]);
      if (done) {
        throw new Error(`The child exited before it was ready: "${buffered}"`);
      }
      buffered += value;
    }
    return buffered.slice(0, buffered.indexOf("\n"));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A field of `/proc/<pid>/status` given in kB (`VmRSS`, `VmHWM`), in bytes;
 * `NaN` when it cannot be read (the process is gone, not Linux).
 */
export function readProcStatusBytes(pid: number, field: string): number {
  let status: string;
  try {
    status = Deno.readTextFileSync(`/proc/${pid}/status`);
  } catch {
    return NaN;
  }
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  return match ? Number(match[1]) * 1024 : NaN;
}

/**
 * CPU time a process has used (user + system, from `/proc/<pid>/stat`), in
 * milliseconds, at the kernel's 10 ms resolution; `NaN` when it cannot be
 * read. `"self"` is this process.
 */
export function readCpuMs(pid: number | "self"): number {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return NaN;
  }
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10;
}

/**
 * Samples the resident set size of some processes at an interval and keeps
 * each one's peak. Combine with `VmHWM` (the kernel's own peak) when the
 * processes live only for the measurement.
 */
export class RssSampler {
  readonly #pids: readonly number[];
  readonly #peaks = new Map<number, number>();
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(pids: readonly number[], intervalMs = 25) {
    this.#pids = pids;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  /** Stops sampling; returns the largest peak over the processes, in bytes. */
  stop(): number {
    clearInterval(this.#timer);
    this.#sample();
    const peaks = [...this.#peaks.values()];
    return peaks.length === 0 ? NaN : Math.max(...peaks);
  }

  #sample(): void {
    for (const pid of this.#pids) {
      const rss = readProcStatusBytes(pid, "VmRSS");
      if (!Number.isFinite(rss)) continue;
      this.#peaks.set(pid, Math.max(this.#peaks.get(pid) ?? 0, rss));
    }
  }
}

/**
 * The largest of `VmHWM` (peak resident set since the process started)
 * over the processes, in bytes; `NaN` when none can be read.
 */
export function peakRssBytes(pids: readonly number[]): number {
  const peaks = pids.map((pid) => readProcStatusBytes(pid, "VmHWM"))
    .filter(Number.isFinite);
  return peaks.length === 0 ? NaN : Math.max(...peaks);
}

/** CPU time per task of the processes a load ran through, in µs. */
export interface CpuPerTask {
  /** This process (the caller, or the floor's client), per task. */
  readonly selfUs: number;
  /** Each peer process (a worker, or the floor server), per task it served. */
  readonly peersUs: readonly number[];
}

/**
 * Measures CPU time (user + system, `/proc`, 10 ms resolution) of this
 * process and of `pids` from construction until {@linkcode CpuMeter.stop}.
 * Meant for runs of a second or more, so that the resolution is ≤ 1%.
 */
export class CpuMeter {
  readonly #pids: readonly number[];
  readonly #self: number;
  readonly #peers: number[];

  constructor(pids: readonly number[]) {
    this.#pids = pids;
    this.#self = readCpuMs("self");
    this.#peers = pids.map(readCpuMs);
  }

  /**
   * CPU per task since construction: `tasks` for this process, and
   * `tasksPerPid[i]` (default `tasks`) for the i-th peer.
   */
  stop(tasks: number, tasksPerPid?: readonly number[]): CpuPerTask {
    const perTask = (ms: number, n: number) => (ms * 1000) / n;
    return {
      selfUs: perTask(readCpuMs("self") - this.#self, tasks),
      peersUs: this.#pids.map((pid, i) =>
        perTask(readCpuMs(pid) - this.#peers[i], tasksPerPid?.[i] ?? tasks)
      ),
    };
  }
}
