/**
 * The backpressure hook decides before a task's module is imported: a task
 * it rejects runs none of its module's code, not even top-level code.
 * Run for real: a pool, a task module whose top-level code writes a
 * marker file, and a hook that rejects or accepts everything.
 *
 * @module
 */
import assert from "node:assert/strict";
import { NoWorkersAvailable, WorkerPool } from "../../mod.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";
import { exists } from "../_helpers/files.ts";

const MARKER_MODULE = import.meta.resolve(
  "../_fixtures/security/top_level_marker.ts",
);
const REJECT_ALL = import.meta.resolve("../_fixtures/hooks/reject_all.ts");
const ACCEPT_ALL = import.meta.resolve("../_fixtures/hooks/accept_all.ts");

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool.dispatch() of a task its hook rejects never evaluates the task's module (transport "${transport}")`, async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "wool-marker-" });
    const marker = `${dir}/imported`;
    const module = `${MARKER_MODULE}?marker=${encodeURIComponent(marker)}`;
    try {
      await t.step("rejected: NoWorkersAvailable, and no marker", async () => {
        await using pool = await WorkerPool.start({
          spawn: 1,
          transport,
          backpressure: REJECT_ALL,
        });
        await assert.rejects(
          pool.dispatch({ module, export: "run", args: [] }),
          NoWorkersAvailable,
        );
        assert.equal(await exists(marker), false);
      });
      await t.step("accepted: the module's top-level code ran", async () => {
        await using pool = await WorkerPool.start({
          spawn: 1,
          transport,
          backpressure: ACCEPT_ALL,
        });
        assert.equal(
          await pool.dispatch({ module, export: "run", args: [] }),
          "ran",
        );
        assert.equal(await Deno.readTextFile(marker), "imported");
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
