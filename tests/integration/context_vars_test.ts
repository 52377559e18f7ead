/**
 * Context variables across the wire: set in the caller with `run`, sent in
 * the Task frame (captured at call time, on every attempt), set in the
 * worker around the task and each generator step, seen frozen by hooks,
 * and never leaking from one task to another. Real workers, both
 * transports.
 *
 * @module
 */
import assert from "node:assert/strict";
import { WorkerPool } from "../../mod.ts";
import { ContextVar } from "../../src/task/mod.ts";
import { Gate } from "../_helpers/gate.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";
import { arrived, noWorkers } from "../_helpers/admission.ts";
import { region, tenant } from "../_fixtures/context_tasks.ts";

const TASKS = import.meta.resolve("../_fixtures/context_tasks.ts");
type Tasks = typeof import("../_fixtures/context_tasks.ts");
const PLAIN = import.meta.resolve("../_fixtures/tasks.ts");
type Plain = typeof import("../_fixtures/tasks.ts");
const CONTEXT_HOOK = import.meta.resolve(
  "../_fixtures/hooks/context_tenant.ts",
);

for (const transport of TRANSPORTS) {
  const on = `(transport "${transport}")`;

  Deno.test(`ContextVar values set with run() are what the task reads in the worker ${on}`, async () => {
    await using pool = await WorkerPool.start({ spawn: 1, transport });
    const tasks = pool.remote<Tasks>(TASKS);
    assert.deepEqual(
      await tenant.run("acme", () => tasks.whoAmI()),
      { tenant: "acme", region: "none" },
    );
    assert.deepEqual(
      await tenant.run(
        "acme",
        () => region.run("eu", () => tasks.whoAmI()),
      ),
      { tenant: "acme", region: "eu" },
    );
    assert.deepEqual(await tasks.whoAmI(), { tenant: "none", region: "none" });
    const low = pool.dispatch({ module: TASKS, export: "whoAmI" });
    assert.deepEqual(await low, { tenant: "none", region: "none" });
  });

  Deno.test(`ContextVar values hold in every step of a generator, which keeps its own sets between steps ${on}`, async () => {
    await using pool = await WorkerPool.start({ spawn: 1, transport });
    const tasks = pool.remote<Tasks>(TASKS);
    const seen: string[] = [];
    for await (const value of tenant.run("acme", () => tasks.tenantSteps(3))) {
      seen.push(value);
    }
    assert.deepEqual(seen, ["acme", "acme+0", "acme+0+1"]);
  });

  Deno.test(`ContextVar values are taken when the call is made and sent again on a retry ${on}`, async () => {
    await using pool = await WorkerPool.start({
      spawn: 2,
      transport,
      backpressure: {
        module: "@wool/core/backpressure",
        export: "maxActive",
        options: { limit: 1 },
      },
    });
    await using gate = Gate.open();
    const plain = pool.remote<Plain>(PLAIN);
    const tasks = pool.remote<Tasks>(TASKS);
    // Round robin: the held task fills one worker, the next call goes to
    // the other, and the call after it tries the full worker first.
    const held = plain.waitAtGate(gate.port, "held");
    await arrived(gate, 1, [held]);
    assert.equal(await plain.add(1, 2), 3);
    const call = tenant.run("acme", () => tasks.whoAmI());
    // The run has returned: only the record taken at call time is left.
    assert.deepEqual(await call, { tenant: "acme", region: "none" });
    const rejected = pool.stats().workers.map((worker) => worker.rejected.hook);
    assert.deepEqual(rejected.sort(), [0, 1]);
    await gate.release();
    assert.equal(await held, "held");
  });

  Deno.test(`A hook sees the caller's ContextVar values frozen in ctx.task.context ${on}`, async () => {
    await using pool = await WorkerPool.start({
      spawn: 2,
      transport,
      backpressure: CONTEXT_HOOK,
    });
    const tasks = pool.remote<Tasks>(TASKS);
    const error = await noWorkers(
      tenant.run("blocked", () => region.run("eu", () => tasks.whoAmI())),
    );
    assert.deepEqual(
      error.causes.map((cause) => cause.message),
      Array(2).fill(
        "Rejected by backpressure hook: tenant blocked (frozen: true, variables: region,tenant)",
      ),
    );
    assert.deepEqual(
      await tenant.run("acme", () => tasks.whoAmI()),
      { tenant: "acme", region: "none" },
    );
  });

  Deno.test(`A task's set() of a ContextVar never reaches other tasks or the caller ${on}`, async () => {
    await using pool = await WorkerPool.start({ spawn: 1, transport });
    await using gate = Gate.open();
    const tasks = pool.remote<Tasks>(TASKS);
    const setter = tenant.run(
      "acme",
      () => tasks.setThenWait("mutated", gate.port),
    );
    await arrived(gate, 1, [setter]);
    // The setter is running, its set made, on the same worker.
    assert.deepEqual(await tasks.whoAmI(), { tenant: "none", region: "none" });
    assert.deepEqual(
      await tenant.run("beta", () => tasks.whoAmI()),
      { tenant: "beta", region: "none" },
    );
    await gate.release();
    assert.equal(await setter, "mutated");
    assert.deepEqual(await tasks.whoAmI(), { tenant: "none", region: "none" });
    assert.equal(tenant.get(), "none");
  });

  Deno.test(`A ContextVar value that cannot be serialized fails the call before any worker is contacted, naming the variable ${on}`, async () => {
    await using pool = await WorkerPool.start({ spawn: 1, transport });
    const tasks = pool.remote<Tasks>(TASKS);
    const handler = new ContextVar<unknown>("handler");
    await assert.rejects(
      handler.run(() => 1, () => tasks.whoAmI()),
      (error: unknown) => {
        assert.ok(error instanceof TypeError, String(error));
        assert.match(error.message, /context variable "handler"/);
        return true;
      },
    );
    const [worker] = pool.stats().workers;
    assert.equal(worker.accepted, 0);
    assert.equal(await tasks.whoAmI().then((who) => who.tenant), "none");
  });
}
