/**
 * Remote async generators are pulled one frame per step: `next(v)`,
 * `throw(e)` and `return(v)` drive the generator in the worker.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { WorkerPool } from "../../mod.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool.remote() generators (transport "${transport}")`, async (t) => {
    await using pool = await WorkerPool.start({ spawn: 1, transport });
    const tasks = pool.remote<Tasks>(TASKS);
    const dir = await Deno.makeTempDir({ prefix: "wool-generators-" });

    try {
      await t.step(
        "RemoteCall[Symbol.asyncIterator]() streams every yielded value with for await, then the return value",
        async () => {
          const seen: number[] = [];
          for await (const value of tasks.count(4)) seen.push(value);
          assert.deepEqual(seen, [0, 1, 2, 3]);

          const stream = tasks.count(1)[Symbol.asyncIterator]();
          assert.deepEqual(await stream.next(), { done: false, value: 0 });
          assert.deepEqual(await stream.next(), { done: true, value: "done" });
          assert.deepEqual(await stream.next(), {
            done: true,
            value: undefined,
          });
        },
      );

      await t.step(
        "RemoteCall[Symbol.asyncIterator]().next(v) sends v to the generator as the value of its yield",
        async () => {
          const stream = tasks.doubler()[Symbol.asyncIterator]();
          assert.deepEqual(await stream.next(), { done: false, value: 0 });
          assert.deepEqual(await stream.next(5), { done: false, value: 10 });
          assert.deepEqual(await stream.next(21), { done: false, value: 42 });
          assert.deepEqual(await stream.next(null), {
            done: true,
            value: "stopped",
          });
        },
      );

      await t.step(
        "RemoteCall[Symbol.asyncIterator]().throw(e) throws e into the generator at its yield",
        async () => {
          const stream = tasks.catcher()[Symbol.asyncIterator]();
          assert.deepEqual(await stream.next(), {
            done: false,
            value: "ready",
          });
          assert.deepEqual(await stream.throw(new Error("boom")), {
            done: false,
            value: "caught boom",
          });
          assert.deepEqual(await stream.next(), {
            done: true,
            value: undefined,
          });
        },
      );

      await t.step(
        "RemoteCall[Symbol.asyncIterator]().return(v) and break close the generator in the worker: its finally has run when they resolve",
        async () => {
          const path = join(dir, "ticks");
          const seen: number[] = [];
          for await (const value of tasks.ticks(path)) {
            seen.push(value);
            if (value === 2) break;
          }
          assert.deepEqual(seen, [0, 1, 2]);
          assert.equal(await Deno.readTextFile(path), "closed\n");

          const stream = tasks.ticks(path)[Symbol.asyncIterator]();
          assert.deepEqual(await stream.next(), { done: false, value: 0 });
          assert.deepEqual(await stream.return("bye"), {
            done: true,
            value: "bye",
          });
          assert.equal(await Deno.readTextFile(path), "closed\nclosed\n");
          assert.deepEqual(await stream.next(), {
            done: true,
            value: undefined,
          });
        },
      );

      await t.step(
        "RemoteCall rejects with a TypeError saying to iterate when a generator's call is awaited",
        async () => {
          await assert.rejects(
            (async () => await tasks.count(2))(),
            (error: unknown) => {
              assert.ok(error instanceof TypeError, `got ${error}`);
              assert.match(error.message, /async generator; iterate it/);
              return true;
            },
          );
        },
      );

      await t.step(
        "RemoteCall[Symbol.asyncIterator]() throws a TypeError saying to await when a coroutine's call is iterated",
        async () => {
          await assert.rejects(
            (async () => {
              for await (const _ of tasks.add(1, 2)) {
                // Never reached.
              }
            })(),
            (error: unknown) => {
              assert.ok(error instanceof TypeError, `got ${error}`);
              assert.match(error.message, /coroutine; await it/);
              return true;
            },
          );
        },
      );

      await t.step(
        "WorkerPool.remote() calls still run on the worker after its generators were closed early",
        async () => {
          assert.equal(await tasks.add(20, 22), 42);
        },
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
