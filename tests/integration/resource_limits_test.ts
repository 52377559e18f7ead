/**
 * `worker.resourceLimits` with real workers: the V8 flags reach the worker
 * (its heap limit and stack are what was asked), and a task that allocates
 * without bound kills its worker at the limit: the call fails with
 * `WorkerCrashed` saying the worker ran out of memory, the worker leaves
 * `"crashed"` with the same words, a replacement joins and serves. A heap
 * limit set in `worker.args` is reported the same way, and so is one too
 * small for a worker to start.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type RosterChange,
  WorkerCrashed,
  WorkerPool,
  WorkerStartError,
} from "../../mod.ts";
import { settles } from "../_helpers/deadline.ts";
import { isAlive } from "../_helpers/processes.ts";
import { RosterWatch } from "../_helpers/roster_watch.ts";
import { workerCommand } from "../_helpers/worker_command.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");

const MiB = 1024 * 1024;
/**
 * What `exhaustHeap` keeps at most, in MiB, should the limit not apply:
 * far above the limits here, far below the machine.
 */
const CAP_MB = 512;

/** Asserts `error` is the `WorkerCrashed` of `worker` out of memory. */
function assertOutOfMemory(
  error: unknown,
  worker: { readonly id: string; readonly pid: number },
  words: RegExp,
): true {
  assert.ok(error instanceof WorkerCrashed, `got ${error}`);
  assert.equal(error.workerId, worker.id);
  assert.equal(error.pid, worker.pid);
  assert.notEqual(error.signal, null, "V8 aborts the process");
  assert.equal(error.exitCode, null);
  assert.match(
    error.message,
    new RegExp(
      `^The worker ${worker.id} \\(pid ${worker.pid}\\) was killed by ${error.signal} while running the task: ${words.source}$`,
    ),
  );
  return true;
}

/** The `left` event of `worker`, once it has left. */
async function leaving(
  watch: RosterWatch,
  worker: { readonly id: string },
): Promise<Extract<RosterChange, { type: "left" }>> {
  const left = await settles(
    watch.next("left", (change) => change.worker.id === worker.id),
    `${worker.id} leaving`,
  );
  assert.equal(left.type, "left");
  return left as Extract<RosterChange, { type: "left" }>;
}

Deno.test("WorkerPool with worker.resourceLimits starts workers whose V8 heap limit is the old generation plus the young generation asked for, and whose stack is the size asked for", async () => {
  await using limited = await WorkerPool.start({
    spawn: 1,
    worker: {
      resourceLimits: {
        maxOldGenerationSizeMb: 48,
        maxYoungGenerationSizeMb: 12,
        stackSizeMb: 4,
      },
    },
  });
  await using plain = await WorkerPool.start({ spawn: 1 });
  const tasks = limited.remote<Tasks>(TASKS);
  const plainTasks = plain.remote<Tasks>(TASKS);

  // V8's heap_size_limit: 48 MiB of old generation and 3 × 4 MiB semi-spaces.
  assert.equal(await tasks.heapSizeLimit(), (48 + 12) * MiB);
  assert.ok(
    await plainTasks.heapSizeLimit() > 256 * MiB,
    "V8's own limit is far above",
  );
  // --stack-size=4096 KiB, about four times V8's default (984 KiB).
  const [deep, shallow] = [
    await tasks.stackDepth(),
    await plainTasks.stackDepth(),
  ];
  assert.ok(
    deep > 3 * shallow,
    `${deep} frames with 4 MiB of stack, ${shallow} with V8's default`,
  );
});

Deno.test("WorkerPool with worker.resourceLimits.maxOldGenerationSizeMb fails the call whose task outgrows the heap with WorkerCrashed saying the worker ran out of memory, the worker leaves crashed saying so, and its replacement serves", async () => {
  await using pool = await WorkerPool.start({
    spawn: 1,
    worker: { resourceLimits: { maxOldGenerationSizeMb: 32 } },
  });
  using watch = new RosterWatch(pool);
  const tasks = pool.remote<Tasks>(TASKS);
  const [victim] = pool.workers;
  const words =
    /it ran out of memory \(V8: "[^"]+"; worker\.resourceLimits\.maxOldGenerationSizeMb is 32\)/;

  await assert.rejects(
    settles(tasks.exhaustHeap(CAP_MB), "the call outgrowing the heap"),
    (error) => assertOutOfMemory(error, victim, words),
  );
  const left = await leaving(watch, victim);
  assert.equal(left.reason, "crashed");
  assert.match(
    left.message ?? "",
    new RegExp(
      `^Worker ${victim.id} \\(pid ${victim.pid}\\) was killed by SIG[A-Z]+: ${words.source}$`,
    ),
  );
  assert.ok(!isAlive(victim.pid));

  const joined = await settles(watch.next("joined"), "a replacement");
  assert.equal(await tasks.add(1, 2), 3);
  assert.equal(await tasks.pid(), joined.worker.pid);
});

Deno.test("WorkerPool says a worker ran out of memory also when its heap limit comes from worker.args, not resourceLimits", async () => {
  await using pool = await WorkerPool.start({
    spawn: 1,
    worker: workerCommand("--v8-flags=--max-old-space-size=32"),
  });
  using watch = new RosterWatch(pool);
  const [victim] = pool.workers;
  const words = /it ran out of memory \(V8: "[^"]+"\)/;

  await assert.rejects(
    settles(
      pool.remote<Tasks>(TASKS).exhaustHeap(CAP_MB),
      "the call outgrowing the heap",
    ),
    (error) => assertOutOfMemory(error, victim, words),
  );
  const left = await leaving(watch, victim);
  assert.match(left.message ?? "", words);
});

Deno.test("WorkerPool.start() with a heap limit too small for a worker to start rejects with WorkerStartError saying it ran out of memory", async () => {
  await assert.rejects(
    WorkerPool.start({
      spawn: 1,
      worker: { resourceLimits: { maxOldGenerationSizeMb: 4 } },
    }),
    (error) => {
      assert.ok(error instanceof WorkerStartError, `got ${error}`);
      assert.notEqual(error.signal, null);
      assert.match(
        error.message,
        /^Cannot start worker w1: the process was killed by SIG[A-Z]+ before it was ready: it ran out of memory \(V8: "[^"]+"; worker\.resourceLimits\.maxOldGenerationSizeMb is 4\)$/,
      );
      return true;
    },
  );
});
