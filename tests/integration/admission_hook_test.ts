/**
 * Backpressure hooks through real worker processes: the seed PR's cases as
 * a pool sees them (sync and async hooks accepting and rejecting, the
 * context a hook receives, factories with options, reasons in
 * `NoWorkersAvailable.causes`), over both transports.
 *
 * The hooks are `tests/_fixtures/hooks/scripted.ts`, whose answer each
 * test picks with the call's tag; a `"report"` tag makes the hook reject
 * with a JSON description of the context it saw, so the test reads the
 * worker-side context from the caller's error.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type BackpressureSpec,
  type Transport,
  WorkerPool,
} from "../../mod.ts";
import type { ContextReport } from "../_fixtures/hooks/scripted.ts";
import { Gate } from "../_helpers/gate.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";
import { arrived, noWorkers } from "../_helpers/admission.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");
const SCRIPTED = import.meta.resolve("../_fixtures/hooks/scripted.ts");
const FACTORY = import.meta.resolve("../_fixtures/hooks/factory.ts");
const WITH_REASON = import.meta.resolve("../_fixtures/hooks/with_reason.ts");

const SYNC_HOOK: BackpressureSpec = SCRIPTED;
const ASYNC_HOOK: BackpressureSpec = { module: SCRIPTED, export: "asyncHook" };

/** The context a `"report"` call's hook saw, from its rejection. */
async function reported(call: Promise<unknown>): Promise<ContextReport> {
  const error = await noWorkers(call);
  assert.equal(error.causes.length, 1);
  const prefix = "Rejected by backpressure hook: ";
  assert.ok(error.causes[0].message.startsWith(prefix));
  return JSON.parse(error.causes[0].message.slice(prefix.length));
}

function start(
  transport: Transport,
  backpressure: BackpressureSpec,
  spawn = 1,
): Promise<WorkerPool> {
  return WorkerPool.start({ spawn, backpressure, transport });
}

for (const transport of TRANSPORTS) {
  const on = `(transport "${transport}")`;

  for (
    const [kind, spec] of [
      ["a synchronous", SYNC_HOOK],
      ["an asynchronous", ASYNC_HOOK],
    ] as const
  ) {
    Deno.test(`WorkerPool runs tasks ${kind} hook accepts, and fails those it rejects with RESOURCE_EXHAUSTED ${on}`, async () => {
      await using pool = await start(transport, spec);
      const [worker] = pool.workers;
      assert.equal(
        await pool.dispatch({ module: TASKS, export: "add", args: [1, 2] }),
        3,
      );
      const rejected = await noWorkers(
        pool.dispatch({
          module: TASKS,
          export: "add",
          args: [1, 2],
          tag: "reject",
        }),
      );
      assert.deepEqual(rejected.causes, [{
        address: worker.address,
        code: "RESOURCE_EXHAUSTED",
        message: "Rejected by backpressure hook: tagged reject",
      }]);
      const bare = await noWorkers(
        pool.dispatch({ module: TASKS, export: "add", args: [], tag: "true" }),
      );
      assert.equal(bare.causes[0].message, "Rejected by backpressure hook");
      assert.equal(
        await pool.dispatch({ module: TASKS, export: "add", args: [2, 2] }),
        4,
      );
      const [stats] = pool.stats().workers;
      assert.equal(stats.accepted, 2);
      assert.equal(stats.rejected.hook, 2);
    });
  }

  Deno.test(`WorkerPool gives the hook the task's id, module, export, decoded args, tag and timeoutMs ${on}`, async () => {
    await using pool = await start(transport, SYNC_HOOK);
    const args = [
      1,
      "two",
      new Map([["k", 3]]),
      new Set([4]),
      new Date(5),
      6n,
      new Uint8Array([7, 8]),
    ];
    const report = await reported(
      pool.dispatch({
        module: new URL(TASKS),
        export: "echo",
        args,
        tag: "report",
        timeoutMs: 60_000,
      }),
    );
    assert.equal(report.activeTaskCount, 0);
    assert.deepEqual(report.keys, ["activeTaskCount", "task"]);
    assert.equal(report.pid, pool.workers[0].pid);
    const { task } = report;
    assert.match(task.id, /\S/);
    assert.equal(task.module, TASKS, "a URL module arrives as its href");
    assert.equal(task.export, "echo");
    assert.equal(task.tag, "report");
    assert.equal(task.caller, undefined);
    assert.ok(
      task.timeoutMs !== undefined && task.timeoutMs > 0 &&
        task.timeoutMs <= 60_000,
      `timeoutMs ${task.timeoutMs}`,
    );
    assert.deepEqual(task.keys, [
      "args",
      "export",
      "id",
      "module",
      "tag",
      "timeoutMs",
    ]);
    assert.deepEqual(task.args, [
      "1",
      '"two"',
      'Map{"k"=>3}',
      "Set{4}",
      "Date(5)",
      "6n",
      "Uint8Array[7,8]",
    ]);
  });

  Deno.test(`WorkerPool gives the hook a frozen context: ctx, ctx.task and ctx.task.args refuse writes ${on}`, async () => {
    await using pool = await start(transport, ASYNC_HOOK);
    const report = await reported(
      pool.dispatch({
        module: TASKS,
        export: "add",
        args: [1, 2],
        tag: "report",
      }),
    );
    assert.deepEqual(report.frozen, { ctx: true, task: true, args: true });
    assert.deepEqual(report.mutationThrew, {
      activeTaskCount: true,
      taskTag: true,
      argsPush: true,
    });
    assert.deepEqual(report.task.keys, [
      "args",
      "export",
      "id",
      "module",
      "tag",
    ]);
  });

  Deno.test(`WorkerPool shows the hook activeTaskCount 1 while one task runs on the worker ${on}`, async () => {
    await using pool = await start(transport, SYNC_HOOK);
    await using gate = Gate.open();
    const tasks = pool.remote<Tasks>(TASKS);
    const held = tasks.waitAtGate(gate.port, "held");
    await arrived(gate, 1, [held]);
    const during = await reported(
      pool.dispatch({ module: TASKS, export: "add", tag: "report" }),
    );
    assert.equal(during.activeTaskCount, 1);
    await gate.release();
    assert.equal(await held, "held");
    const after = await reported(
      pool.dispatch({ module: TASKS, export: "add", tag: "report" }),
    );
    assert.equal(after.activeTaskCount, 0);
  });

  Deno.test(`WorkerPool builds each worker's hook by calling the named factory with the spec's options ${on}`, async (t) => {
    for (const limit of [1, 2]) {
      await t.step(`capAt({ limit: ${limit} })`, async () => {
        await using pool = await start(transport, {
          module: FACTORY,
          export: "capAt",
          options: { limit },
        });
        await using gate = Gate.open();
        const tasks = pool.remote<Tasks>(TASKS);
        const held = Array.from(
          { length: limit },
          (_, i) => tasks.waitAtGate(gate.port, i),
        );
        await arrived(gate, limit, held);
        const over = await noWorkers(tasks.add(1, 2));
        assert.equal(
          over.causes[0].message,
          `Rejected by backpressure hook: cap ${limit}`,
        );
        await gate.release();
        assert.deepEqual(
          await Promise.all(held),
          Array.from({ length: limit }, (_, i) => i),
        );
        assert.equal(await tasks.add(1, 2), 3);
      });
    }
  });

  Deno.test(`NoWorkersAvailable carries each worker's reason, code and pool.workers address ${on}`, async () => {
    await using pool = await start(transport, WITH_REASON, 2);
    const error = await noWorkers(
      pool.dispatch({ module: TASKS, export: "add", args: [1, 2] }),
    );
    assert.equal(error.causes.length, 2);
    for (const cause of error.causes) {
      assert.deepEqual(Object.keys(cause).sort(), [
        "address",
        "code",
        "message",
      ]);
      assert.equal(cause.code, "RESOURCE_EXHAUSTED");
      assert.equal(cause.message, "Rejected by backpressure hook: busy");
    }
    assert.deepEqual(
      error.causes.map((cause) => cause.address).sort(),
      pool.workers.map((worker) => worker.address).sort(),
    );
    assert.match(error.message, /busy/);
  });
}

Deno.test("WorkerPool gives the hook the id of the task that dispatched the call as ctx.task.caller", async () => {
  // The outer task starts a pool of its own, inside its worker, and calls
  // with the "report" tag there; its hook's rejection comes back as text.
  await using pool = await WorkerPool.start({ spawn: 1 });
  const tasks = pool.remote<Tasks>(TASKS);
  const outcome = await tasks.dispatchFromTask(
    TASKS,
    "add",
    "report",
    SCRIPTED,
  );
  assert.ok(outcome.error !== undefined, `resolved ${outcome.value}`);
  const json = outcome.error.slice(outcome.error.indexOf("{"));
  const report: ContextReport = JSON.parse(
    json.slice(0, json.lastIndexOf("}") + 1),
  );
  assert.match(outcome.callerId, /\S/);
  assert.equal(report.task.caller, outcome.callerId);
  assert.ok(report.task.keys.includes("caller"));
});
