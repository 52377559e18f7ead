/**
 * Arguments and results cross the wire as V8 structured clones; values
 * that cannot be cloned fail on the side that holds them.
 *
 * @module
 */
import assert from "node:assert/strict";
import { WorkerPool } from "../../mod.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");

/** Every value kind the contract names, nested, with a cycle. */
function richValue() {
  const nested = {
    map: new Map<unknown, unknown>([["a", 1], [2, { deep: [new Set([3])] }]]),
    set: new Set(["x", 1n, new Date(0)]),
    date: new Date("2024-02-29T12:34:56.789Z"),
    big: 2n ** 70n,
    negativeBig: -(2n ** 65n),
    bytes: new Uint8Array([0, 1, 254, 255]),
    floats: new Float64Array([0.5, -1e300, Number.NaN]),
    bigints: new BigInt64Array([-1n, 2n ** 62n]),
    nested: { list: [1, "two", null, undefined, true], empty: {} },
    self: undefined as unknown,
  };
  nested.self = nested;
  return nested;
}

function totalAccepted(pool: WorkerPool): number {
  return pool.stats().workers.reduce((sum, worker) => sum + worker.accepted, 0);
}

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool.dispatch() values on the wire (transport "${transport}")`, async (t) => {
    await using pool = await WorkerPool.start({ spawn: 1, transport });
    const tasks = pool.remote<Tasks>(TASKS);

    await t.step(
      "RemoteCall round-trips Map, Set, Date, BigInt, typed arrays, nested and cyclic objects through arguments and results",
      async () => {
        const sent = richValue();
        const received = await tasks.echo(sent);
        assert.deepStrictEqual(received, sent);
        assert.equal(received.self, received, "the cycle is kept");
        assert.ok(received.map instanceof Map);
        assert.ok(received.date instanceof Date);
        assert.ok(received.bigints instanceof BigInt64Array);
        assert.equal(await tasks.sum(1, 2, 3), 6);
      },
    );

    await t.step(
      "WorkerPool.dispatch() fails with a TypeError naming the argument's position and the path inside it, before any worker is contacted, when an argument cannot be serialized",
      async () => {
        const before = totalAccepted(pool);
        await assert.rejects(
          pool.dispatch({ module: TASKS, export: "echo", args: [1, () => 2] }),
          (error: unknown) => {
            assert.ok(error instanceof TypeError, `got ${error}`);
            assert.match(error.message, /argument at index 1/);
            return true;
          },
        );
        await assert.rejects(
          tasks.add(Symbol("not cloneable") as unknown as number, 1),
          /argument at index 0/,
        );
        await assert.rejects(
          tasks.echo({ a: { b: () => 3 } }),
          /^TypeError: Cannot serialize the argument at index 0: args\[0\]\.a\.b is a function \(/,
        );
        await assert.rejects(
          pool.dispatch({
            module: TASKS,
            export: "echo",
            args: [1, new Map([["k", Symbol("s")]])],
          }),
          { message: /: args\[1\]\.get\("k"\) is a symbol \(/ },
        );
        assert.equal(totalAccepted(pool), before, "a worker was contacted");
      },
    );

    await t.step(
      "RemoteCall rejects with the worker's TypeError when a result cannot be serialized, and the worker stays",
      async () => {
        const [{ pid }] = pool.workers;
        await assert.rejects(tasks.unserializable(), (error: unknown) => {
          assert.ok(error instanceof TypeError, `got ${error}`);
          assert.match(
            error.message,
            /Cannot serialize the result of "unserializable"/,
          );
          return true;
        });
        assert.equal(await tasks.pid(), pid);
        assert.deepEqual(pool.workers.map((worker) => worker.pid), [pid]);
      },
    );
  });
}
