/**
 * `worker.schedulingPolicy`: with `"batch"` every worker runs under
 * `SCHED_BATCH` (read back from `/proc/<pid>/stat`) and serves; by default
 * under `SCHED_OTHER`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { WorkerPool } from "../../mod.ts";
import { requireProgram } from "../_helpers/on_path.ts";

const TASKS = new URL("../_fixtures/tasks.ts", import.meta.url).href;
const LINUX = Deno.build.os === "linux";
/** The policy numbers of `sched_setscheduler(2)`. */
const SCHED_OTHER = 0;
const SCHED_BATCH = 3;

/** A process's scheduling policy: field 41 of `/proc/<pid>/stat`. */
function policyOf(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[41 - 3]);
}

Deno.test({
  name:
    'WorkerPool with worker.schedulingPolicy "batch" runs every worker under SCHED_BATCH, and they serve',
  ignore: !LINUX,
  async fn() {
    if (!requireProgram("chrt", "util-linux")) return;
    await using pool = await WorkerPool.start({
      spawn: 2,
      worker: { schedulingPolicy: "batch" },
    });
    for (const { pid } of pool.workers) {
      assert.equal(policyOf(pid), SCHED_BATCH, `worker ${pid}`);
    }
    assert.equal(
      await pool.dispatch({ module: TASKS, export: "add", args: [2, 3] }),
      5,
    );
  },
});

Deno.test({
  name: "WorkerPool runs its workers under SCHED_OTHER by default",
  ignore: !LINUX,
  async fn() {
    await using pool = await WorkerPool.start({ spawn: 1 });
    assert.equal(policyOf(pool.workers[0].pid), SCHED_OTHER);
  },
});
