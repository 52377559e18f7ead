/**
 * One run of the head-to-head protocol (`_head_to_head.ts`) on our side,
 * in the Deno process it is started in: a fresh pool, a warm-up, then
 * exactly `calls` calls of `add(1, 2)` through `pool.remote` at
 * `concurrency`; the rate, latency and CPU time of the caller and of each
 * worker. Run as a program, it takes the options as one JSON argument and
 * prints the run as one JSON line, as `peers.mjs` does for Piscina, so
 * each side's every run starts in a process of its own.
 *
 *     deno run -A --config deno.json bench/peers/_wool_run.ts '{"workers":2,"concurrency":64,"calls":20000,"warmup":20000,"balancer":"round-robin"}'
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { WorkerPool } from "@wool/core";
import { balancerNamed } from "../../tests/_helpers/balancer_flag.ts";
import { runFixedCount } from "../_load.ts";
import { readCpuMs } from "../_proc.ts";
import type { HeadToHeadOptions, HeadToHeadRun } from "./_head_to_head.ts";

const TASKS = new URL("../fixtures/tasks.ts", import.meta.url).href;
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));
const SELF = fileURLToPath(import.meta.url);

/**
 * One run of our pool in a fresh Deno process (this module run as a
 * program), as the head-to-head protocol makes each.
 *
 * @throws {Error} when the process fails.
 */
export async function runWoolInOwnProcess(
  options: Omit<HeadToHeadOptions, "runs">,
): Promise<HeadToHeadRun> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, SELF, JSON.stringify(options)],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) {
    throw new Error(`bench/peers/_wool_run.ts failed (exit ${output.code})`);
  }
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  return JSON.parse(lines.at(-1)!) as HeadToHeadRun;
}

/** One run of our pool, measured in this process. */
export async function runWool(
  options: Omit<HeadToHeadOptions, "runs">,
): Promise<HeadToHeadRun> {
  await using pool = await WorkerPool.start({
    spawn: options.workers,
    worker: {
      config: CONFIG,
      ...(options.scheduling === "batch" ? { schedulingPolicy: "batch" } : {}),
    },
    loadBalancer: balancerNamed(options.balancer),
  });
  const tasks = pool.remote<typeof import("../fixtures/tasks.ts")>(TASKS);
  const add = () => tasks.add(1, 2);
  await runFixedCount(add, {
    concurrency: options.concurrency,
    total: options.warmup,
  });
  const workers = pool.workers;
  const accepted = () => {
    const byId = new Map(pool.stats().workers.map((w) => [w.id, w.accepted]));
    return workers.map((w) => byId.get(w.id) ?? NaN);
  };
  const callerBefore = readCpuMs("self");
  const cpuBefore = workers.map((w) => readCpuMs(w.pid));
  const acceptedBefore = accepted();
  const result = await runFixedCount(add, {
    concurrency: options.concurrency,
    total: options.calls,
  });
  const callerMs = readCpuMs("self") - callerBefore;
  const cpuMs = workers.map((w, i) => readCpuMs(w.pid) - cpuBefore[i]);
  const ran = accepted().map((n, i) => n - acceptedBefore[i]);
  const totalMs = callerMs + cpuMs.reduce((a, b) => a + b, 0);
  return {
    ...result,
    cpuUsPerTask: (totalMs * 1000) / result.completed,
    callerCpuUsPerTask: (callerMs * 1000) / result.completed,
    // Each worker's CPU over the tasks it ran.
    workerCpuUsPerTask: cpuMs.map((ms, i) => (ms * 1000) / ran[i]),
  };
}

if (import.meta.main) {
  const run = await runWool(JSON.parse(Deno.args[0]));
  console.log(JSON.stringify(run));
}
