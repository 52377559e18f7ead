/**
 * `admissionWaitKey`: calls waiting for capacity queue per key, so a
 * tenant whose calls the workers refuse (over its `fairShare`) does not
 * hold back another tenant's. Without it, one queue in arrival order: the
 * refused tenant's head blocks the rest.
 *
 * The worker's hook is `fairShare({ key: "tenant", limit: 2 })`, which
 * also pings a gate for every refusal and another for tenant B's
 * (`tests/_fixtures/hooks/notifying_fair_share.ts`), so the test knows a
 * call was refused without sleeping. Tenant A's tasks wait at a gate.
 *
 * @module
 */
import assert from "node:assert/strict";
import { WorkerPool } from "../../mod.ts";
import { arrived, noWorkers } from "../_helpers/admission.ts";
import { Gate } from "../_helpers/gate.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";
import { tenant } from "../_fixtures/context_tasks.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");
const HOOK = import.meta.resolve(
  "../_fixtures/hooks/notifying_fair_share.ts",
);

/** A gate that counts pings and lets each go at once. */
async function counter(): Promise<Gate> {
  const gate = Gate.open();
  await gate.release();
  return gate;
}

async function setUp(
  transport: "session" | "dispatch",
  pool: { admissionWaitMs: number; admissionWaitKey?: string },
) {
  const refusals = await counter();
  const refusalsOfB = await counter();
  const gate = Gate.open();
  const workers = await WorkerPool.start({
    spawn: 1,
    transport,
    ...pool,
    backpressure: {
      module: HOOK,
      export: "notifyingFairShare",
      options: {
        limit: 2,
        notifyPort: refusals.port,
        notifyKey: "b",
        notifyKeyPort: refusalsOfB.port,
      },
    },
  });
  const tasks = workers.remote<Tasks>(TASKS);
  // Tenant A, alone, takes both slots; its four other calls are refused
  // and wait for capacity.
  const a = [1, 2, 3, 4, 5, 6].map((i) =>
    tenant.run("a", () => tasks.waitAtGate(gate.port, `a${i}`))
  );
  await arrived(gate, 2, a);
  await refusals.arrived(4);
  return { refusals, refusalsOfB, gate, pool: workers, tasks, a };
}

for (const transport of TRANSPORTS) {
  const on = `(transport "${transport}")`;

  Deno.test(`admissionWaitKey: a freed slot reaches tenant B's waiting call though tenant A's refused calls waited first ${on}`, async () => {
    const { refusals, refusalsOfB, gate, pool, tasks, a } = await setUp(
      transport,
      { admissionWaitMs: 60_000, admissionWaitKey: "tenant" },
    );
    await using _refusals = refusals;
    await using _refusalsOfB = refusalsOfB;
    await using _gate = gate;
    await using _pool = pool;
    const settledA = a.map(() => false);
    a.forEach((call, i) => call.then(() => settledA[i] = true, () => {}));

    // B has no call waiting, so it tries at once; both slots are taken.
    const b = tenant.run("b", () => tasks.echo("b"));
    await refusalsOfB.arrived(1);
    // One of A's tasks ends. A holds one slot, its share while B has work:
    // A's head is refused again, B's call takes the slot.
    await gate.releaseSome(1);
    assert.equal(await b, "b");
    assert.equal(
      settledA.filter(Boolean).length,
      1,
      "A's waiting calls are still waiting",
    );
    assert.equal(gate.arrivals, 2, "no other A task was admitted");

    await gate.release();
    assert.deepEqual(
      await Promise.all(a),
      [1, 2, 3, 4, 5, 6].map((i) => `a${i}`),
    );
  });

  Deno.test(`without admissionWaitKey, tenant B's call waits behind tenant A's refused calls, in arrival order ${on}`, async () => {
    const { refusals, refusalsOfB, gate, pool, tasks, a } = await setUp(
      transport,
      { admissionWaitMs: 4_000 },
    );
    await using _refusals = refusals;
    await using _refusalsOfB = refusalsOfB;
    await using _gate = gate;
    await using _pool = pool;

    // Calls wait: B joins the one queue behind A's without trying.
    const b = tenant.run("b", () => tasks.echo("b"));
    await gate.releaseSome(1);
    // The freed slot goes to A's head (the worker has not seen B, so A,
    // alone, may take it), and B, behind A's other calls, gets no slot
    // before its wait is over.
    await gate.arrived(3);
    await noWorkers(b);

    await gate.release();
    const outcomes = await Promise.allSettled(a);
    assert.ok(outcomes.filter((o) => o.status === "fulfilled").length >= 3);
  });
}
