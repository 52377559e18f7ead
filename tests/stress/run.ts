/**
 * The stress run: many tasks at high concurrency over 4 workers, with a
 * hook that rejects a deterministic subset and workers killed mid-run.
 * Checks that every call settles exactly once, every accepted task ran
 * exactly once, no rejected task ran, and every surviving worker's docket
 * is empty at the end. Loopback only; bounded in count and time; exits
 * non-zero on any violation.
 *
 *     deno task stress                  # 100,000 tasks
 *     deno task stress --tasks 10000    # the variant CI runs
 *     deno task stress --tasks 10000 --balancer least-in-flight   # CI too
 *
 * @module
 */
import { parseArgs } from "node:util";
import { NoWorkersAvailable, WorkerCrashed, WorkerPool } from "../../mod.ts";
import { balancerFlag, balancerNamed } from "../_helpers/balancer_flag.ts";
import { RawWorkerClient } from "../_helpers/raw_client.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    tasks: { type: "string", default: "100000" },
    concurrency: { type: "string", default: "256" },
    workers: { type: "string", default: "4" },
    kills: { type: "string", default: "3" },
    "deadline-ms": { type: "string", default: "600000" },
    balancer: { type: "string", default: "round-robin" },
  },
});
const BALANCER = balancerFlag("stress", values.balancer);
const TASKS = Number(values.tasks);
const CONCURRENCY = Number(values.concurrency);
const WORKERS = Number(values.workers);
const KILLS = Number(values.kills);
const deadline = AbortSignal.timeout(Number(values["deadline-ms"]));

const dir = await Deno.makeTempDir({ prefix: "wool-stress-" });
const logPath = `${dir}/ran.log`;
const tasksUrl = import.meta.resolve("./stress_tasks.ts");
const started = performance.now();

type Outcome = "ok" | "rejected" | "crashed";
const outcomes = new Array<Outcome | undefined>(TASKS);
const settledTwice: number[] = [];
const wrong: string[] = [];
let killed = 0;

{
  await using pool = await WorkerPool.start({
    spawn: WORKERS,
    backpressure: tasksUrl,
    respawn: true,
    loadBalancer: balancerNamed(BALANCER),
  });
  const killAt = new Set(
    Array.from(
      { length: KILLS },
      (_, i) => Math.floor(((i + 1) * TASKS) / (KILLS + 2)),
    ),
  );
  let next = 0;
  const lane = async () => {
    while (next < TASKS && !deadline.aborted) {
      const n = next++;
      if (killAt.has(n)) {
        const victim = pool.workers[n % pool.workers.length];
        if (victim) {
          Deno.kill(victim.pid, "SIGKILL");
          killed++;
        }
      }
      let outcome: Outcome;
      try {
        const value = await pool.dispatch({
          module: tasksUrl,
          export: "record",
          args: [n, logPath],
        });
        if (value !== n) wrong.push(`task ${n} answered ${value}`);
        outcome = "ok";
      } catch (error) {
        if (error instanceof NoWorkersAvailable) outcome = "rejected";
        else if (error instanceof WorkerCrashed) outcome = "crashed";
        else {
          wrong.push(`task ${n} failed: ${error}`);
          continue;
        }
      }
      if (outcomes[n] !== undefined) settledTwice.push(n);
      outcomes[n] = outcome;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));

  for (const worker of pool.workers) {
    using client = await RawWorkerClient.ofPool(pool, worker);
    const seconds = await client.idle();
    if (!(seconds > 0)) {
      wrong.push(`worker ${worker.id} still holds tasks (idle ${seconds})`);
    }
  }
}

const ranCount = new Map<number, number>();
for (const line of (await Deno.readTextFile(logPath)).split("\n")) {
  if (line === "") continue;
  const n = Number(line);
  ranCount.set(n, (ranCount.get(n) ?? 0) + 1);
}
await Deno.remove(dir, { recursive: true });

const tally = { ok: 0, rejected: 0, crashed: 0, unsettled: 0 };
for (let n = 0; n < TASKS; n++) {
  const outcome = outcomes[n];
  const ran = ranCount.get(n) ?? 0;
  if (outcome === undefined) {
    tally.unsettled++;
    continue;
  }
  tally[outcome]++;
  if (outcome === "ok" && ran !== 1) {
    wrong.push(`accepted task ${n} ran ${ran} times`);
  }
  if (outcome === "rejected" && ran !== 0) {
    wrong.push(`rejected task ${n} ran ${ran} times`);
  }
  if (outcome === "rejected" && n % 7 !== 0) {
    wrong.push(`task ${n} was rejected but the hook accepts it`);
  }
  if (outcome === "ok" && n % 7 === 0) {
    wrong.push(`task ${n} ran but the hook rejects it`);
  }
  if (outcome === "crashed" && ran > 1) {
    wrong.push(`crashed task ${n} ran ${ran} times`);
  }
}
if (tally.unsettled > 0) {
  wrong.push(`${tally.unsettled} calls never settled (deadline)`);
}
if (settledTwice.length > 0) {
  wrong.push(`${settledTwice.length} calls settled twice`);
}

const seconds = (performance.now() - started) / 1000;
console.log(
  `stress: ${TASKS} tasks, concurrency ${CONCURRENCY}, ${WORKERS} workers (${BALANCER}), ${killed} killed, ` +
    `${
      seconds.toFixed(1)
    } s: ${tally.ok} ok, ${tally.rejected} rejected, ${tally.crashed} crashed`,
);
if (wrong.length > 0) {
  console.error(
    `stress: ${wrong.length} violations:\n  ${wrong.slice(0, 20).join("\n  ")}`,
  );
  Deno.exit(1);
}
console.log(
  "stress: every call settled once; every accepted task ran once; no rejected task ran",
);
