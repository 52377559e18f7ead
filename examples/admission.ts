/**
 * Backpressure in one screen: two workers that each run at most 2 tasks at
 * once, a burst of 8 calls, and what the caller sees.
 *
 *     deno run -A examples/admission.ts
 *
 * @module
 */
import { NoWorkersAvailable, WorkerPool } from "@wool/core";

const tasksUrl = import.meta.resolve("./tasks.ts");

// Every worker loads the built-in `maxActive` hook at start-up. It rejects a
// task while the worker already runs `limit` tasks; the rejection travels as
// gRPC RESOURCE_EXHAUSTED and the pool tries the next worker.
await using pool = await WorkerPool.start({
  spawn: 2,
  backpressure: {
    module: "@wool/core/backpressure",
    export: "maxActive",
    options: { limit: 2 },
  },
});
const tasks = pool.remote<typeof import("./tasks.ts")>(tasksUrl);

const burst = await Promise.allSettled(
  Array.from({ length: 8 }, (_, i) => tasks.work(200, `task ${i}`)),
);
for (const [i, outcome] of burst.entries()) {
  if (outcome.status === "fulfilled") {
    console.log(`task ${i}: accepted, ${outcome.value}`);
  } else if (outcome.reason instanceof NoWorkersAvailable) {
    const why = outcome.reason.causes.map((c) =>
      `${c.address} ${c.code} (${c.message})`
    );
    console.log(`task ${i}: rejected by every worker: ${why.join("; ")}`);
  } else {
    throw outcome.reason;
  }
}

// With admissionWaitMs, a call that every worker rejects waits for capacity
// (in arrival order) instead of failing at once.
await using patient = await WorkerPool.start({
  spawn: 2,
  admissionWaitMs: 5_000,
  backpressure: {
    module: "@wool/core/backpressure",
    export: "maxActive",
    options: { limit: 2 },
  },
});
const waited = patient.remote<typeof import("./tasks.ts")>(tasksUrl);
const all = await Promise.all(
  Array.from({ length: 8 }, (_, i) => waited.work(100, `task ${i}`)),
);
console.log(
  `with admissionWaitMs: all ${all.length} finished;`,
  patient.stats(),
);
