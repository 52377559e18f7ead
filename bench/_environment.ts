/**
 * What machine and code a benchmark ran on, recorded next to its figures so
 * they can be compared (and distrusted) later.
 *
 * @module
 */

/** The machine, runtime and commit of a run. */
export interface Environment {
  readonly deno: string;
  readonly v8: string;
  readonly os: string;
  readonly arch: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryTotalBytes: number;
  /** 1, 5 and 15 minute load averages when the run started. */
  readonly loadAverageAtStart: readonly number[];
  readonly git: { readonly commit: string; readonly dirty: boolean } | null;
}

/** Reads the environment of this process. */
export async function readEnvironment(): Promise<Environment> {
  return {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    os: Deno.build.os,
    arch: Deno.build.arch,
    cpus: navigator.hardwareConcurrency,
    cpuModel: cpuModel(),
    memoryTotalBytes: Deno.systemMemoryInfo().total,
    loadAverageAtStart: Deno.loadavg(),
    git: await gitState(),
  };
}

function cpuModel(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

async function gitState(): Promise<Environment["git"]> {
  const run = async (...args: string[]) => {
    const output = await new Deno.Command("git", {
      args,
      cwd: new URL("..", import.meta.url),
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!output.success) throw new Error(`git ${args.join(" ")} failed`);
    return new TextDecoder().decode(output.stdout).trim();
  };
  try {
    const commit = await run("rev-parse", "HEAD");
    const status = await run("status", "--porcelain");
    return { commit, dirty: status !== "" };
  } catch {
    return null;
  }
}

/** A one-line description of the machine, for chart subtitles. */
export function describeMachine(env: Environment): string {
  return `Deno ${env.deno}, ${env.cpus} CPUs (${env.cpuModel}), ${env.os}/${env.arch}`;
}

/** CPU time of the whole machine and of this process tree, in ms. */
export interface CpuTimes {
  /** Busy time (all but idle and iowait) summed over every CPU. */
  readonly machineBusyMs: number;
  /** This process and its children that have exited and been waited for. */
  readonly ownMs: number;
}

/** Reads {@linkcode CpuTimes} from `/proc` (Linux; `NaN`s elsewhere). */
export function readCpuTimes(): CpuTimes {
  try {
    const cpu = Deno.readTextFileSync("/proc/stat").split("\n")[0]
      .split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …
    const busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + (cpu[7] ?? 0);
    const stat = Deno.readTextFileSync("/proc/self/stat");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(
      Number,
    );
    // utime stime cutime cstime
    const own = fields[11] + fields[12] + fields[13] + fields[14];
    return { machineBusyMs: busy * 10, ownMs: own * 10 };
  } catch {
    return { machineBusyMs: NaN, ownMs: NaN };
  }
}

/**
 * The share of the machine's CPU capacity that other processes used between
 * two readings taken `wallMs` apart (0 = the run had the machine to itself).
 */
export function foreignCpuShare(
  before: CpuTimes,
  after: CpuTimes,
  wallMs: number,
  cpus: number,
): number {
  const machine = after.machineBusyMs - before.machineBusyMs;
  const own = after.ownMs - before.ownMs;
  return Math.max(0, (machine - own) / (wallMs * cpus));
}
