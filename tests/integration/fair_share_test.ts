/**
 * `fairShare` in a real worker: a tenant that floods the worker cannot
 * take the share of another that has work waiting, and still gets the
 * capacity the other leaves idle. The key is the caller's `tenant`
 * context variable, read by the hook in `ctx.task.context`; the hook
 * frees a tenant's slot when its task settles.
 *
 * @module
 */
import assert from "node:assert/strict";
import { NoWorkersAvailable, type Remote, WorkerPool } from "../../mod.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";
import { tenant } from "../_fixtures/context_tasks.ts";

const TASKS = import.meta.resolve("../_fixtures/context_tasks.ts");
type Tasks = typeof import("../_fixtures/context_tasks.ts");

/** Slots of the worker, shared by the tenants: 2 each when both want. */
const LIMIT = 4;
/** Tenant B's calls, one at a time: its normal load, half its share. */
const B_CALLS = 100;
/** Tenant A's callers, each calling again as soon as it is answered: 10× its share. */
const A_CALLERS = 10 * (LIMIT / 2);
/** A bound on each of A's callers, whatever happens. */
const A_MAX_CALLS = 5_000;
const TASK_MS = 5;

interface Tally {
  accepted: number;
  rejected: number;
  peak: number;
}

/** One call as `who`: counts whether a worker accepted it. */
async function callAs(
  tasks: Remote<Tasks>,
  who: string,
  tally: Tally,
): Promise<void> {
  try {
    const peak = await tenant.run(who, () => tasks.occupy(TASK_MS));
    tally.accepted++;
    tally.peak = Math.max(tally.peak, peak);
  } catch (error) {
    if (!(error instanceof NoWorkersAvailable)) throw error;
    tally.rejected++;
  }
}

for (const transport of TRANSPORTS) {
  Deno.test(`fairShare keeps tenant B's share while tenant A floods the worker, and lends A the idle slots (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({
      spawn: 1,
      transport,
      backpressure: {
        module: "@wool/core/backpressure",
        export: "fairShare",
        options: { key: "tenant", limit: LIMIT },
      },
    });
    const tasks = pool.remote<Tasks>(TASKS);
    const a: Tally = { accepted: 0, rejected: 0, peak: 0 };
    const b: Tally = { accepted: 0, rejected: 0, peak: 0 };
    let bDone = false;
    const flood = Array.from({ length: A_CALLERS }, async () => {
      for (let i = 0; i < A_MAX_CALLS && !bDone; i++) {
        await callAs(tasks, "A", a);
      }
    });
    // B starts once A holds the worker: A's first calls are in.
    await callAs(tasks, "A", a);
    for (let i = 0; i < B_CALLS; i++) await callAs(tasks, "B", b);
    bDone = true;
    await Promise.all(flood);

    const bRate = b.accepted / B_CALLS;
    assert.ok(
      bRate >= 0.95,
      `B's acceptance ${bRate} (A: ${a.accepted} accepted, ${a.rejected} rejected)`,
    );
    assert.ok(a.rejected > 0, "A offered more than the worker took");
    // A's share is 2 while B has work; B holds at most 1, so A runs 3.
    assert.ok(
      a.peak >= LIMIT - 1,
      `A ran ${a.peak} at once: it got the slot B left idle`,
    );
    assert.ok(b.peak <= 1, `B ran ${b.peak} at once`);
  });
}
