/**
 * Fair shares per tenant: one worker with 4 slots, a tenant that floods it
 * and one that asks for little. Each call carries a context variable set
 * in the caller, which the task reads and the worker's hook keys on.
 *
 *     deno run -A examples/tenants.ts
 *
 * @module
 */
import { NoWorkersAvailable, WorkerPool } from "@wool/core";
import { tenant } from "./tasks.ts";

// fairShare keys each task by the caller's "tenant" variable: while both
// tenants have work, each may hold 2 of the 4 slots; a share left idle is
// lent to the other. (adaptiveConcurrency, from the same module with
// `options: {}`, learns the limit instead of taking one.)
await using pool = await WorkerPool.start({
  spawn: 1,
  backpressure: {
    module: "@wool/core/backpressure",
    export: "fairShare",
    options: { key: "tenant", limit: 4 },
  },
});
const tasks = pool.remote<typeof import("./tasks.ts")>(
  import.meta.resolve("./tasks.ts"),
);

const accepted = { bulk: 0, acme: 0 };
const rejected = { bulk: 0, acme: 0 };
let acmeDone = false;

/** Calls as `who` until `wanted` calls were accepted (at most 1000 tries). */
async function keepCalling(who: "bulk" | "acme", wanted: number) {
  for (
    let i = 0;
    i < 1_000 && accepted[who] < wanted && !(who === "bulk" && acmeDone);
    i++
  ) {
    try {
      // The value travels with the call: in the worker, tenant.get() === who.
      const answer = await tenant.run(who, () => tasks.serve(50, i));
      if (answer.startsWith(who)) accepted[who]++;
    } catch (error) {
      if (!(error instanceof NoWorkersAvailable)) throw error;
      rejected[who]++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

// "bulk" keeps 12 calls going (3× the worker) while "acme" makes 10, one
// at a time.
const bulk = Array.from({ length: 12 }, () => keepCalling("bulk", Infinity));
await keepCalling("acme", 10);
acmeDone = true;
await Promise.all(bulk);
console.log({ accepted, rejected });
// acme: 10 accepted. Its first tries are turned away while bulk holds all
// 4 slots, borrowed while acme was idle (a running task is never
// preempted); from the first slot that frees on, one is kept for acme.
// bulk: the rest of the worker — 3 slots — with many calls turned away.
