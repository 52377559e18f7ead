/**
 * Nested calls: tasks calling tasks through the pool they were dispatched
 * from (`currentPool()`), over real workers on both transports.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  CallDepthExceeded,
  NoRunningTask,
  WorkerCrashed,
  WorkerPool,
} from "../../mod.ts";
import { ContextVar, currentPool } from "../../src/task/mod.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";
import { Gate } from "../_helpers/gate.ts";
import { settles } from "../_helpers/deadline.ts";

const MAX_ACTIVE_1 = {
  module: "@wool/core/backpressure",
  export: "maxActive",
  options: { limit: 1 },
} as const;

/** Accepts one connection of a task's `waitForAbort()`; resolves with the line it writes when its signal aborts. */
async function abortReport(listener: Deno.TcpListener): Promise<{
  arrived: Promise<void>;
  line: Promise<string>;
}> {
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => arrive = resolve);
  const line = (async () => {
    const conn = await listener.accept();
    arrive();
    let text = "";
    const buffer = new Uint8Array(256);
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
      if (text.includes("\n")) break;
    }
    conn.close();
    return text.trim();
  })();
  return await Promise.resolve({ arrived, line });
}

const NESTED = import.meta.resolve("../_fixtures/nested_tasks.ts");
type Nested = typeof import("../_fixtures/nested_tasks.ts");

function sumOf(from: number, to: number): number {
  let total = 0;
  for (let i = from; i < to; i++) total += i;
  return total;
}

for (const transport of TRANSPORTS) {
  Deno.test(`nested calls: a recursive parallel sum splits its range across workers (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({ spawn: 3, transport });
    const tasks = pool.remote<Nested>(NESTED);
    const result = await tasks.sum(0, 4000, 250);
    assert.equal(result.total, sumOf(0, 4000));
    const workers = new Set(pool.workers.map((worker) => worker.pid));
    assert.ok(
      result.pids.length > 1,
      `every piece ran in one worker: ${result.pids}`,
    );
    for (const pid of result.pids) assert.ok(workers.has(pid), `${pid}`);
  });

  Deno.test(`nested calls: a generator child is iterated by its parent (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({ spawn: 2, transport });
    const tasks = pool.remote<Nested>(NESTED);
    assert.deepStrictEqual(await tasks.collectChild(3), {
      values: [0, 1, 2],
      returned: "done",
    });
  });

  Deno.test(`nested calls: a child runs with its parent's context variables, as the parent has them when it calls (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({ spawn: 2, transport });
    const tasks = pool.remote<Nested>(NESTED);
    const tenant = new ContextVar<string>("tenant");
    assert.deepStrictEqual(await tenant.run("acme", () => tasks.tenantTree()), {
      parent: "acme",
      child: "acme",
      afterSet: "acme/sub",
    });
    // What the parent set stayed in its own task.
    assert.equal(await tasks.readTenant(), "(none)");
  });

  Deno.test(`nested calls: a child's error reaches its parent with its class (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({ spawn: 2, transport });
    const tasks = pool.remote<Nested>(NESTED);
    const error = await tasks.callChild("failRange", ["out of range"]).then(
      () => null,
      (e) => e,
    );
    assert.ok(error instanceof RangeError, String(error));
    assert.equal(error.message, "out of range");
    // A child that cannot be loaded: its Nack is the parent's error.
    await assert.rejects(
      tasks.callChild("noSuchExport", []),
      (e: Error) =>
        e.name === "TaskLoadError" && /noSuchExport/.test(e.message),
    );
  });

  Deno.test(`nested calls: aborting the parent aborts its running child (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({ spawn: 2, transport });
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const report = await abortReport(listener);
    const controller = new AbortController();
    const parent = pool.dispatch({
      module: NESTED,
      export: "parentOfWaiter",
      args: [listener.addr.port],
      signal: controller.signal,
    });
    await report.arrived;
    const reason = new Error("the caller gave up");
    controller.abort(reason);
    assert.equal(
      await settles(parent.then(() => null, (e) => e), "the parent call"),
      reason,
    );
    // The child's own signal aborted: it says so, and ends.
    assert.equal(
      await settles(report.line, "the child's abort"),
      "aborted:AbortError",
    );
  });

  Deno.test(`nested calls: a parent that ends aborts the children it left running (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({ spawn: 2, transport });
    await using gate = Gate.open();
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const report = await abortReport(listener);
    const parent = pool.remote<Nested>(NESTED).leaveChildBehind(
      gate.port,
      listener.addr.port,
    );
    await report.arrived;
    await gate.arrived(1);
    await gate.release();
    assert.equal(await settles(parent, "the parent call"), "left");
    assert.equal(
      await settles(report.line, "the child's abort"),
      "aborted:AbortError",
    );
  });

  Deno.test(`nested calls: losing the parent's worker aborts its child running on another (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({ spawn: 2, transport });
    await using gate = Gate.open();
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const report = await abortReport(listener);
    const parent = pool.remote<Nested>(NESTED).crashWithChild(
      gate.port,
      listener.addr.port,
    );
    await report.arrived;
    await gate.arrived(1);
    await gate.release();
    const error = await settles(
      parent.then(() => null, (e) => e),
      "the parent call",
    );
    assert.ok(error instanceof WorkerCrashed, String(error));
    assert.equal(
      await settles(report.line, "the child's abort"),
      "aborted:AbortError",
    );
  });

  Deno.test(`nested calls: a call a task makes after it ended fails at once, never dispatched (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({ spawn: 1, transport });
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const report = await abortReport(listener);
    const accepted = () => pool.stats().workers[0].accepted;
    assert.equal(
      await pool.remote<Nested>(NESTED).callAfterReturning(listener.addr.port),
      "returned",
    );
    assert.equal(await settles(report.line, "the late call"), "AbortError");
    assert.equal(accepted(), 1, "only the parent was dispatched");
  });

  Deno.test(`nested calls: a child refused by a worker's admission moves to another (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({
      spawn: 2,
      transport,
      backpressure: MAX_ACTIVE_1,
    });
    const { parent, children } = await pool.remote<Nested>(NESTED)
      .childrenInTurn(3);
    for (const child of children) {
      // The parent holds its worker's only slot: every child ran elsewhere.
      assert.notEqual(child.pid, parent.pid);
    }
    const rejected = pool.stats().workers.reduce(
      (sum, worker) => sum + worker.rejected.hook,
      0,
    );
    assert.ok(
      rejected >= 1,
      `no child was refused: ${JSON.stringify(pool.stats())}`,
    );
  });

  Deno.test(`nested calls: a parent holding the only slot its child needs gets NoWorkersAvailable, not a hang (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({
      spawn: 1,
      transport,
      backpressure: MAX_ACTIVE_1,
    });
    const error = await pool.remote<Nested>(NESTED).childrenInTurn(1).then(
      () => null,
      (e) => e,
    );
    assert.ok(error instanceof Error);
    assert.equal(error.name, "NoWorkersAvailable");
    assert.match(error.message, /RESOURCE_EXHAUSTED|maxActive|limit/);
  });

  Deno.test(`nested calls: a call deeper than maxCallDepth fails with CallDepthExceeded, not dispatched (transport "${transport}")`, async () => {
    await using pool = await WorkerPool.start({
      spawn: 2,
      transport,
      maxCallDepth: 3,
    });
    const tasks = pool.remote<Nested>(NESTED);
    assert.equal(await tasks.chain(3), 3);
    const accepted = () =>
      pool.stats().workers.reduce((sum, worker) => sum + worker.accepted, 0);
    const before = accepted();
    const error = await tasks.chain(4).then(() => null, (e) => e);
    assert.ok(error instanceof CallDepthExceeded, String(error));
    assert.equal(error.depth, 4);
    assert.equal(error.limit, 3);
    assert.match(error.message, /depth 4.*at most 3.*maxCallDepth/);
    // The top call and its three children ran; the fifth was never sent.
    assert.equal(accepted() - before, 4);
  });
}

Deno.test("nested calls: a hook sees a nested call's depth and caller", async () => {
  await using pool = await WorkerPool.start({
    spawn: 2,
    backpressure: import.meta.resolve("../_fixtures/hooks/reject_deep.ts"),
  });
  const tasks = pool.remote<Nested>(NESTED);
  assert.equal(await tasks.chain(1), 1);
  const error = await tasks.chain(2).then(() => null, (e) => e);
  assert.ok(error instanceof Error);
  assert.equal(error.name, "NoWorkersAvailable");
  assert.match(error.message, /depth 2 from \S+-\d+/);
});

Deno.test("nested calls: maxCallDepth 0 allows none, and the option is validated", async () => {
  await using pool = await WorkerPool.start({ spawn: 1, maxCallDepth: 0 });
  const error = await pool.remote<Nested>(NESTED).chain(1).then(
    () => null,
    (e) => e,
  );
  assert.ok(error instanceof CallDepthExceeded, String(error));
  assert.equal(error.depth, 1);
  await assert.rejects(
    WorkerPool.start({ spawn: 1, maxCallDepth: -1 }),
    (e: Error) => e instanceof RangeError && /"maxCallDepth"/.test(e.message),
  );
  await assert.rejects(
    WorkerPool.start({ spawn: 1, maxCallDepth: "2" as unknown as number }),
    (e: Error) => e instanceof TypeError && /"maxCallDepth"/.test(e.message),
  );
});

Deno.test("currentPool() outside a task throws NoRunningTask", () => {
  assert.throws(() => currentPool(), NoRunningTask);
  assert.throws(
    () => currentPool(),
    /currentPool\(\) was called outside a running task/,
  );
});
