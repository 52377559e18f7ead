/**
 * A call aborted in the same turn as it is made must still reach the
 * worker as a cancellation: the task's slot is given back. grpc-js on
 * Deno's node:http2 used to drop a reset issued in the stream's first turn
 * (dispatch transport), leaving the task running with its signal never
 * aborted.
 *
 * @module
 */
import assert from "node:assert/strict";
import { WorkerPool } from "../../mod.ts";
import { Gate } from "../_helpers/gate.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool.dispatch() frees the worker's slot of a call aborted in the turn it was made (transport "${transport}")`, async () => {
    await using gate = Gate.open();
    await using pool = await WorkerPool.start({
      spawn: 1,
      transport,
      backpressure: {
        module: "@wool/core/backpressure",
        export: "maxActive",
        options: { limit: 1 },
      },
      // The follow-up call waits for the one slot; if the aborted task kept
      // it, this runs out and the call fails with NoWorkersAvailable.
      admissionWaitMs: 20_000,
    });
    const controller = new AbortController();
    const aborted = pool.dispatch({
      module: TASKS,
      export: "waitForAbort",
      args: [gate.port],
      signal: controller.signal,
    });
    controller.abort(new Error("changed my mind"));
    await assert.rejects(aborted, /changed my mind/);
    assert.equal(
      await pool.dispatch({ module: TASKS, export: "add", args: [1, 2] }),
      3,
    );
  });
}
