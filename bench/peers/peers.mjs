// The peer measurements, run under Node by `deno task bench:peers`
// (bench/peers/run.ts): the trivial-task and rejection benchmarks of
// `deno task bench`, on Piscina (worker threads) and workerpool (child
// processes), two workers each. Prints one JSON line with the results.
//
//     node bench/peers/peers.mjs '{"sequentialIterations":600,"sequentialRounds":5,"loadMs":1000,"rounds":3}'
//
// With `"mode":"piscina-run"` it instead makes one run of the head-to-head
// protocol (bench/peers/_head_to_head.ts) on a fresh Piscina pool: a warm-up,
// then exactly `calls` `add` calls at `concurrency`, on `workers` threads,
// and prints that run's rate, latency and CPU time:
//
//     node bench/peers/peers.mjs '{"mode":"piscina-run","workers":2,"concurrency":64,"calls":20000,"warmup":2000}'
//
// The load generators mirror bench/_load.ts (sequential: a warm-up of one
// round, then the round with the lowest median of `sequentialRounds`; closed loop at
// a fixed concurrency: a warm-up of a quarter round, then the round with
// the highest rate of `rounds`; type-7 percentiles), so the figures compare
// with the pool's.
//
// "Rejection" here is the closest analogue of a dispatch every worker
// rejects: both workers are kept busy by long tasks and the pool may queue
// nothing, so each call is refused at once.
// - Piscina: `maxQueue: 0`; `run()` rejects with "No task queue available
//   and all Workers are busy".
// - workerpool: `maxQueueSize: 1` with one task already queued (0 means
//   "no limit" there); `exec()` throws "Max queue size of 1 reached".
// Both refuse in the calling thread without asking a worker, whereas a
// @wool/core worker decides itself (its admission hook) and answers over
// the wire, so the pool asks every worker before it gives up.
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

// The peers are Node packages installed in bench/peers/node_modules. They
// are imported by a name held in a variable, which Deno's module graph does
// not follow, so `deno check bench/` does not try to resolve them.
const PISCINA = "piscina";
const WORKERPOOL = "workerpool";
const { Piscina } = await import(PISCINA);
const { default: workerpool } = await import(WORKERPOOL);

const TASKS = fileURLToPath(new URL("./tasks.mjs", import.meta.url));
const WORKERS = 2;
const HOLD_MS = 10 * 60_000;

const budget = JSON.parse(process.argv[2] ?? "{}");
const sequentialIterations = budget.sequentialIterations ?? 600;
const sequentialRounds = budget.sequentialRounds ?? 5;
const loadMs = budget.loadMs ?? 1000;
const rounds = budget.rounds ?? 3;

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

function summarize(samples) {
  const sorted = Float64Array.from(samples).sort();
  const total = sorted.reduce((sum, v) => sum + v, 0);
  return {
    count: sorted.length,
    minMs: sorted[0] ?? null,
    meanMs: sorted.length ? total / sorted.length : null,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? null,
  };
}

async function runSequential(op, iterations) {
  for (let i = 0; i < iterations; i++) await op();
  const results = [];
  for (let round = 0; round < sequentialRounds; round++) {
    const samples = [];
    const started = performance.now();
    for (let i = 0; i < iterations; i++) {
      const t0 = performance.now();
      await op();
      samples.push(performance.now() - t0);
    }
    const elapsedMs = performance.now() - started;
    results.push({
      concurrency: 1,
      completed: iterations,
      elapsedMs,
      perSecond: iterations / (elapsedMs / 1000),
      latency: summarize(samples),
    });
  }
  const best = results.reduce((a, b) =>
    b.latency.p50Ms < a.latency.p50Ms ? b : a
  );
  return { ...best, roundsP50Ms: results.map((r) => r.latency.p50Ms) };
}

async function lanes(op, concurrency, durationMs, samples) {
  const end = performance.now() + durationMs;
  const lane = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      await op();
      samples?.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

async function runClosedLoop(op, concurrency) {
  await lanes(op, concurrency, loadMs / 4);
  const results = [];
  for (let round = 0; round < rounds; round++) {
    const samples = [];
    const started = performance.now();
    await lanes(op, concurrency, loadMs, samples);
    const elapsedMs = performance.now() - started;
    results.push({
      concurrency,
      completed: samples.length,
      elapsedMs,
      perSecond: samples.length / (elapsedMs / 1000),
      latency: summarize(samples),
    });
  }
  const best = results.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  return { ...best, roundsPerSecond: results.map((r) => r.perSecond) };
}

// Mirrors runFixedCount of bench/_load.ts.
async function runFixedCount(op, concurrency, total) {
  const samples = [];
  let started = 0;
  const lane = async () => {
    while (started < total) {
      started++;
      const t0 = performance.now();
      await op();
      samples.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, lane),
  );
  const elapsedMs = performance.now() - t0;
  return {
    concurrency,
    completed: samples.length,
    elapsedMs,
    perSecond: samples.length / (elapsedMs / 1000),
    latency: summarize(samples),
  };
}

/**
 * One head-to-head run: a fresh Piscina pool of `workers` threads, a
 * warm-up of `warmup` calls, then `calls` calls at `concurrency`. CPU time
 * is the whole process's (the calling thread and the workers').
 */
async function piscinaRun({ workers, concurrency, calls, warmup }) {
  const pool = new Piscina({
    filename: TASKS,
    name: "add",
    minThreads: workers,
    maxThreads: workers,
  });
  try {
    const add = () => pool.run({ a: 1, b: 2 });
    await runFixedCount(add, concurrency, warmup);
    const cpuBefore = process.cpuUsage();
    const result = await runFixedCount(add, concurrency, calls);
    const cpu = process.cpuUsage(cpuBefore);
    return { ...result, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    await pool.destroy();
  }
}

async function measureTrivial(add) {
  return {
    sequential: await runSequential(add, sequentialIterations),
    c64: await runClosedLoop(add, 64),
    c256: await runClosedLoop(add, 256),
  };
}

async function measureRejection(reject) {
  return {
    sequential: await runSequential(reject, sequentialIterations),
    c64: await runClosedLoop(reject, 64),
  };
}

async function expectRefusal(call, pattern) {
  try {
    await call();
  } catch (error) {
    if (pattern.test(error?.message)) return;
    throw error;
  }
  throw new Error("the call was accepted; expected a refusal");
}

async function piscina() {
  const options = {
    filename: TASKS,
    minThreads: WORKERS,
    maxThreads: WORKERS,
  };
  const started = performance.now();
  const pool = new Piscina({ ...options, name: "add" });
  await Promise.all(
    Array.from({ length: WORKERS }, () => pool.run({ a: 1, b: 2 })),
  );
  const readyMs = performance.now() - started;
  const trivial = await measureTrivial(() => pool.run({ a: 1, b: 2 }));
  await pool.destroy();

  const full = new Piscina({ ...options, maxQueue: 0 });
  await Promise.all(
    Array.from(
      { length: WORKERS },
      () => full.run({ a: 1, b: 2 }, { name: "add" }),
    ),
  );
  const held = Array.from(
    { length: WORKERS },
    () => full.run({ ms: HOLD_MS }, { name: "hold" }).catch(() => {}),
  );
  // Each hold task went to a ready worker at once: the pool is full.
  const refuse = () =>
    expectRefusal(
      () => full.run({ a: 1, b: 2 }, { name: "add" }),
      /No task queue available/,
    );
  await refuse();
  const rejection = await measureRejection(refuse);
  await full.destroy();
  await Promise.all(held);
  return {
    name: "piscina",
    version: await versionOf("piscina"),
    mode: "worker threads",
    readyMs,
    trivial,
    rejection,
    rejectionAnalogue: "maxQueue: 0 with both workers busy: run() rejects",
  };
}

async function workerpoolBench() {
  const options = {
    minWorkers: WORKERS,
    maxWorkers: WORKERS,
    workerType: "process",
    forkOpts: { env: { ...process.env, WOOL_BENCH_PEER: "workerpool" } },
  };
  const started = performance.now();
  const pool = workerpool.pool(TASKS, options);
  await Promise.all(
    Array.from({ length: WORKERS }, () => pool.exec("add", [1, 2])),
  );
  const readyMs = performance.now() - started;
  const trivial = await measureTrivial(() => pool.exec("add", [1, 2]));
  await pool.terminate(true);

  const full = workerpool.pool(TASKS, { ...options, maxQueueSize: 1 });
  await Promise.all(
    Array.from({ length: WORKERS }, () => full.exec("add", [1, 2])),
  );
  const held = Array.from(
    { length: WORKERS + 1 },
    () => full.exec("hold", [HOLD_MS]).catch(() => {}),
  );
  const refuse = () =>
    expectRefusal(() => full.exec("add", [1, 2]), /Max queue size/);
  await refuse();
  const rejection = await measureRejection(refuse);
  await full.terminate(true);
  await Promise.all(held);
  return {
    name: "workerpool",
    version: await versionOf("workerpool"),
    mode: "child processes",
    readyMs,
    trivial,
    rejection,
    rejectionAnalogue:
      "maxQueueSize: 1 with both workers busy and one task queued: exec() throws",
  };
}

async function versionOf(name) {
  const { readFile } = await import("node:fs/promises");
  const path = fileURLToPath(
    new URL(`./node_modules/${name}/package.json`, import.meta.url),
  );
  return JSON.parse(await readFile(path, "utf8")).version;
}

const results = budget.mode === "piscina-run"
  ? {
    node: process.version,
    version: await versionOf("piscina"),
    run: await piscinaRun(budget),
  }
  : {
    node: process.version,
    cpus: availableParallelism(),
    budget: { sequentialIterations, sequentialRounds, loadMs, rounds },
    peers: [await piscina(), await workerpoolBench()],
  };
process.stdout.write(`${JSON.stringify(results)}\n`);
