/**
 * `deno task bench`: measures the pool against the raw grpc-js floors of the
 * same run, on this machine, over loopback only.
 *
 * 1. floors: a minimal grpc-js server in its own Deno process; one bidi
 *    stream per task (sequential, concurrency 64 and 256), and one
 *    long-lived stream (sequential, 64 and 256 in flight);
 * 2. the pool (2 workers) running a trivial coroutine at concurrency 1, 64
 *    and 256, and a generator of 100 values, on both transports;
 * 3. a dispatch every worker rejects vs one they accept;
 * 4. overload: open-loop arrivals at 1×, 2× and 3× the pool's measured
 *    capacity, with and without a `maxActive` hook;
 * 5. cold start of a 2-worker pool and idle worker RSS;
 * 6. the trivial task with workers on Unix sockets (the default) next to
 *    TCP loopback, alternating rounds, and the ratio (`bench/_listen.ts`);
 * 7. the trivial task on a durable pool over TCP+TLS to two standalone
 *    workers next to the spawned pool, likewise (`bench/_remote.ts`);
 * 8. adaptive: CPU-bound tasks on one worker at 1×, 2×, 5× and 10× its
 *    capacity, and a run whose task cost doubles halfway, with no hook,
 *    `maxActive` right and 4× too high, and `adaptiveConcurrency`
 *    (`bench/_adaptive.ts`; chart `docs/adaptive.svg`);
 * 9. nested: the trivial task called directly next to a task making one
 *    nested call of it through `currentPool()`, on both transports
 *    (`bench/_nested.ts`);
 * 10. the trivial task with OpenTelemetry off (no SDK) next to on (the
 *    SDK in the caller and the workers, sampling every span), in paired
 *    rounds (`bench/_telemetry.ts`).
 *
 * Before each section and at the end it probes the host's speed (a fixed
 * loop and a walk through 4 MiB, `bench/_host_probe.ts`), and says whether
 * the host held its speed through the run and how it compares with the
 * previous run's: on a virtual machine the host can halve the speed without
 * any sign in the load average.
 *
 * When more than one section is chosen, each runs in a fresh Deno process
 * of its own (`bench/_section_process.ts`), so none measures what an
 * earlier one left in the bench's process.
 *
 * Prints a markdown table, writes `bench/results/<timestamp>.json` and
 * `bench/results/latest.json`, and draws `docs/bench.svg`. Takes about
 * five minutes on two cores and stops by itself (a watchdog ends it after
 * ten); every process it starts exits with it.
 *
 *     deno task bench                      # the full run
 *     deno task bench --quick              # a short smoke run (noisier)
 *     deno task bench --only floors,pool   # some sections only
 *     deno task bench --only adaptive --arrivals even  # overload arrivals evenly paced
 *
 * Sections: `floors`, `pool`, `rejection`, `overload`, `startup`, `listen`,
 * `remote`, `adaptive` (about 100 s alone: `--only adaptive`), `nested`, `telemetry`. Files
 * are written only by a run of every section, unless `--write` is given.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { Transport } from "@wool/core";
import { fileURLToPath } from "node:url";
import { FULL_BUDGET, QUICK_BUDGET } from "./_config.ts";
import {
  describeMachine,
  type Environment,
  foreignCpuShare,
  readCpuTimes,
  readEnvironment,
} from "./_environment.ts";
import {
  bestOf,
  CacheWalk,
  describeHost,
  type HostProbe,
  probeHost,
  WALK_BYTES,
} from "./_host_probe.ts";
import { measureFloors } from "./_floors.ts";
import {
  measureOverload,
  measureRejection,
  measureStartup,
  measureTrivial,
} from "./_pool.ts";
import { renderOverloadChart } from "./_chart.ts";
import { measureListen, renderListenTable } from "./_listen.ts";
import { measureRemote, renderRemoteTable } from "./_remote.ts";
import { measureAdaptive } from "./_adaptive.ts";
import type { Arrivals } from "./_arrivals.ts";
import { measureNested, renderNestedTable } from "./_nested.ts";
import {
  renderAdaptiveChart,
  renderAdaptiveTable,
} from "./_adaptive_report.ts";
import { measureTelemetry, renderTelemetryTable } from "./_telemetry.ts";
import {
  type BenchResults,
  buildSummary,
  renderSummaryTable,
} from "./_report.ts";
import {
  exitWhenOrphaned,
  measureInChild,
  SECTION_OUT_FLAG,
  writeSectionOutput,
} from "./_section_process.ts";

const SECTIONS = [
  "floors",
  "pool",
  "rejection",
  "overload",
  "startup",
  "listen",
  "remote",
  "adaptive",
  "nested",
  "telemetry",
] as const;
type Section = typeof SECTIONS[number];
type MutableResults = { -readonly [K in keyof BenchResults]: BenchResults[K] };
type Timings = Record<string, { ms: number; loadAverage: number[] }>;

/** Ends a run that hangs; its worker processes exit with it (stdin closes). */
const WATCHDOG_MS = 10 * 60_000;
/** Slots per worker (and the `maxActive` limit) of the overload benchmark. */
const OVERLOAD_SLOTS_PER_WORKER = 4;
/** How long each overload task holds its slot, in milliseconds. */
const OVERLOAD_TASK_MS = 5;

const RESULTS_DIR = new URL("./results/", import.meta.url);
const CHART = new URL("../docs/bench.svg", import.meta.url);
const ADAPTIVE_CHART = new URL("../docs/adaptive.svg", import.meta.url);

const { values } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    write: { type: "boolean", default: false },
    arrivals: { type: "string", default: "timer" },
    [SECTION_OUT_FLAG]: { type: "string" },
  },
});
const sections = parseSections(values.only);
const budget = values.quick ? QUICK_BUDGET : FULL_BUDGET;
const write = values.write || sections.size === SECTIONS.length;

/** Kills a section's process when the watchdog gives up. */
const stopping = new AbortController();
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS} ms; giving up`);
  stopping.abort();
  Deno.exit(1);
}, WATCHDOG_MS);
Deno.unrefTimer(watchdog);

const sectionOut = values[SECTION_OUT_FLAG];
if (sectionOut !== undefined) {
  // A section's own process (see bench/_section_process.ts).
  exitWhenOrphaned();
  if (sections.size !== 1) {
    console.error(`bench: --${SECTION_OUT_FLAG} takes exactly one section`);
    Deno.exit(2);
  }
  const [name] = sections;
  const timings: Timings = {};
  const results = await measureSection(name, timings);
  await writeSectionOutput(sectionOut, { results, timings, pid: Deno.pid });
  clearTimeout(watchdog);
  Deno.exit(0);
}

const startedAt = new Date();
const cpuAtStart = readCpuTimes();
const environment = await readEnvironment();
console.error(
  `bench: ${describeMachine(environment)}; load average ${
    environment.loadAverageAtStart.join(", ")
  }${values.quick ? "; --quick" : ""}`,
);

/** The host's speed before each section and at the end (`_host_probe.ts`). */
const walk = new CacheWalk(WALK_BYTES);
const hostProbes: HostProbe[] = [];
const previousRun = await readPreviousHost(environment);

const results: MutableResults = {};
/** Per section: how long it took, and the load average when it ended. */
const timings: Timings = {};
/** Whether each section runs in a process of its own. */
const isolated = sections.size > 1;
const childFlags = [
  ...(values.quick ? ["--quick"] : []),
  `--arrivals=${values.arrivals}`,
];
for (const name of SECTIONS) {
  if (!sections.has(name)) continue;
  hostProbes.push(probeHost(`before ${name}`, walk));
  if (isolated) {
    const output = await measureInChild<MutableResults>(
      new URL(import.meta.url),
      name,
      childFlags,
      stopping.signal,
    );
    Object.assign(results, output.results);
    Object.assign(timings, output.timings);
  } else Object.assign(results, await measureSection(name, timings));
}

/** Measures one section here, into `timings`; returns the results it fills. */
async function measureSection(
  name: Section,
  timings: Timings,
): Promise<MutableResults> {
  const part = async <T>(label: string, run: () => Promise<T>) => {
    const t0 = performance.now();
    console.error(`bench: ${label}…`);
    const value = await run();
    timings[label] = {
      ms: Math.round(performance.now() - t0),
      loadAverage: Deno.loadavg(),
    };
    return value;
  };
  const bothTransports = async <T>(
    label: string,
    measure: (transport: Transport) => Promise<T>,
  ) => ({
    session: await part(`${label} (session)`, () => measure("session")),
    dispatch: await part(`${label} (dispatch)`, () => measure("dispatch")),
  });
  switch (name) {
    case "floors":
      return { floors: await part(name, () => measureFloors(budget)) };
    case "pool":
      return {
        trivial: await bothTransports(
          "pool",
          (transport) => measureTrivial(transport, budget),
        ),
      };
    case "rejection":
      return {
        rejection: await bothTransports(
          "rejection",
          (transport) => measureRejection(transport, budget),
        ),
      };
    case "overload":
      return {
        overload: await part(name, () =>
          measureOverload(budget, {
            slotsPerWorker: OVERLOAD_SLOTS_PER_WORKER,
            taskMs: OVERLOAD_TASK_MS,
          })),
      };
    case "startup":
      return { startup: await part(name, () => measureStartup(budget)) };
    case "listen":
      return { listen: await part(name, () => measureListen(budget)) };
    case "remote":
      return { remote: await part(name, () => measureRemote(budget)) };
    case "nested":
      return { nested: await part(name, () => measureNested(budget)) };
    case "adaptive":
      return {
        adaptive: await part(
          name,
          () => measureAdaptive(budget, arrivalsOption(values.arrivals)),
        ),
      };
    case "telemetry":
      return { telemetry: await part(name, () => measureTelemetry(budget)) };
  }
}

hostProbes.push(probeHost("end", walk));
const finishedAt = new Date();
const summary = buildSummary(results);
const table = renderSummaryTable(summary);
const report = {
  schema: 1,
  startedAt: startedAt.toISOString(),
  finishedAt: finishedAt.toISOString(),
  durationMs: finishedAt.getTime() - startedAt.getTime(),
  quick: values.quick,
  sections: [...sections],
  environment: { ...environment, loadAverageAtEnd: Deno.loadavg() },
  /** Share of the machine's CPU other processes used during the run. */
  foreignCpuShare: NaN,
  /** The host's speed before each section and at the end. */
  hostProbes,
  budget,
  sectionTimes: timings,
  summary,
  results,
};

// A run of sections with no summary rows (listen, remote, adaptive) has
// only their own tables to show.
if (summary.length > 0) console.log(table);
if (results.listen) console.log(`\n${renderListenTable(results.listen)}`);
if (results.remote) console.log(`\n${renderRemoteTable(results.remote)}`);
if (results.nested) console.log(`\n${renderNestedTable(results.nested)}`);
if (results.adaptive) {
  console.log(`\n${renderAdaptiveTable(results.adaptive)}`);
}
if (results.telemetry) {
  console.log(`\n${renderTelemetryTable(results.telemetry)}`);
}
// Every child has exited and been waited for by now, so the CPU they used
// is in this process's own figure: the rest of the machine's was others'.
const foreign = foreignCpuShare(
  cpuAtStart,
  readCpuTimes(),
  finishedAt.getTime() - startedAt.getTime(),
  environment.cpus,
);
report.foreignCpuShare = foreign;
if (foreign > 0.1) {
  console.log(
    `\nWarning: other processes used ${
      (foreign * 100).toFixed(0)
    }% of the machine's CPU during the run, so these figures understate the pool and its floors alike; rerun on a quiet machine before comparing.`,
  );
}
const hostLines = describeHost(hostProbes, previousRun);
if (hostLines.length > 0) console.log(`\n${hostLines.join("\n")}`);
console.log(
  `\n${describeMachine(environment)}; ${
    (report.durationMs / 1000).toFixed(0)
  } s; other processes used ${
    (report.foreignCpuShare * 100).toFixed(0)
  }% of the CPU meanwhile.`,
);
if (write) {
  await Deno.mkdir(RESULTS_DIR, { recursive: true });
  const json = JSON.stringify(report, jsonNumbers, 2) + "\n";
  const stamp = startedAt.toISOString().replaceAll(":", "-").replace(
    /\.\d+Z$/,
    "Z",
  );
  const file = new URL(`${stamp}.json`, RESULTS_DIR);
  await Deno.writeTextFile(file, json);
  await Deno.writeTextFile(new URL("latest.json", RESULTS_DIR), json);
  console.log(`\nWrote ${relative(file)} and bench/results/latest.json`);
  const subtitle = `${
    describeMachine(environment)
  }; ${startedAt.toISOString()}`;
  if (results.overload) {
    await writeChart(CHART, renderOverloadChart(results.overload, subtitle));
  }
  if (results.adaptive) {
    await writeChart(
      ADAPTIVE_CHART,
      renderAdaptiveChart(results.adaptive, subtitle),
    );
  }
}
clearTimeout(watchdog);

async function writeChart(file: URL, svg: string): Promise<void> {
  await Deno.writeTextFile(file, svg);
  // Leave the chart as `deno fmt` would, so `deno fmt --check` passes.
  await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", fileURLToPath(file)],
    stdout: "null",
    stderr: "inherit",
  }).output();
  console.log(`Wrote ${relative(file)}`);
}

function parseSections(only: string | undefined): Set<Section> {
  if (only === undefined) return new Set(SECTIONS);
  const chosen = new Set<Section>();
  for (const name of only.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (!(SECTIONS as readonly string[]).includes(name)) {
      console.error(
        `bench: unknown section "${name}" (known: ${SECTIONS.join(", ")})`,
      );
      Deno.exit(2);
    }
    chosen.add(name as Section);
  }
  return chosen;
}

/**
 * The best host probes of the last run written (`results/latest.json`),
 * when it ran on the same kind of machine; else undefined.
 */
async function readPreviousHost(
  environment: Environment,
): Promise<
  { loopMs: number; walkNs: number; startedAt: string } | undefined
> {
  try {
    const last = JSON.parse(
      await Deno.readTextFile(new URL("latest.json", RESULTS_DIR)),
    );
    const probes = last.hostProbes as HostProbe[] | undefined;
    if (
      !Array.isArray(probes) || probes.length === 0 ||
      last.environment?.cpuModel !== environment.cpuModel ||
      last.environment?.cpus !== environment.cpus
    ) return undefined;
    return { ...bestOf(probes), startedAt: String(last.startedAt) };
  } catch {
    return undefined;
  }
}

/** Rounds numbers to 4 significant digits; `NaN` becomes `null`. */
function jsonNumbers(_key: string, value: unknown): unknown {
  if (typeof value !== "number") return value;
  if (!Number.isFinite(value)) return null;
  if (Number.isInteger(value)) return value;
  return Number(value.toPrecision(4));
}

function relative(url: URL): string {
  const root = new URL("..", import.meta.url).pathname;
  return url.pathname.startsWith(root)
    ? url.pathname.slice(root.length)
    : url.pathname;
}

function arrivalsOption(value: string): Arrivals {
  if (value === "timer" || value === "even") return value;
  throw new TypeError(
    `--arrivals must be "timer" or "even", received ${JSON.stringify(value)}`,
  );
}
