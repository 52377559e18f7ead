/**
 * Connection churn: many clients each make hundreds of calls to one worker
 * and then close their connection.
 *
 * Why this exists: Deno 2.9.4 to 2.9.6 abort a process serving HTTP/2
 * (`free(): invalid pointer`, exit 134) when a client connection closes
 * after about 150 calls on it. Workers serve gRPC over HTTP/2 and pools
 * open and close connections to them (respawns, evictions, pools of their
 * own), so such a Deno kills workers at random. The project pins Deno
 * 2.9.3 (`.ci/run`); this test guards the pin, and any upgrade.
 *
 * @module
 */
import assert from "node:assert/strict";
import { deserialize } from "node:v8";
import { WorkerPool } from "../../mod.ts";
import { isAlive } from "../_helpers/processes.ts";
import { RawWorkerClient, taskFrame } from "../_helpers/raw_client.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");

const CLIENTS = 5;
const CALLS_PER_CLIENT = 300;
/** Calls in flight at once on one client. */
const IN_FLIGHT = 10;

Deno.test(`Worker keeps serving, as the same live process, after ${CLIENTS} clients in turn made ${CALLS_PER_CLIENT} calls each and closed their connections`, async () => {
  await using pool = await WorkerPool.start({ spawn: 1 });
  const tasks = pool.remote<Tasks>(TASKS);
  const [worker] = pool.workers;

  for (let client = 0; client < CLIENTS; client++) {
    using raw = await RawWorkerClient.ofPool(pool, worker);
    let next = 0;
    const lane = async () => {
      while (next < CALLS_PER_CLIENT) {
        const i = next++;
        const { frames, status } = await raw.dispatch([
          taskFrame({ module: TASKS, export: "add" }, [client, i]),
        ]);
        assert.equal(status.code, 0, status.details);
        const result = frames.find((frame) => frame.frame === "result");
        assert.ok(result?.frame === "result", `call ${i}: no result`);
        assert.equal(deserialize(result.result.value), client + i);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  }

  assert.equal(await tasks.add(40, 2), 42);
  assert.equal(await tasks.pid(), worker.pid);
  assert.ok(isAlive(worker.pid), "the worker died");
  assert.deepEqual(pool.workers, [worker]);
});
