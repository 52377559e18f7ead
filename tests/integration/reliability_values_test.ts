/**
 * Values that cannot cross the wire: nested deeper than V8's serializer
 * can recurse, deep enough to serialize on one side but not deserialize on
 * the other, or of kinds V8 cannot clone between processes. Each fails the
 * call with a `TypeError` naming the value and the cause, raised on the
 * side that could not handle it, and the worker keeps serving.
 *
 * (Values over `maxMessageBytes` are in `message_size_test.ts`.)
 *
 * @module
 */
import assert from "node:assert/strict";
import { deserialize, serialize } from "node:v8";
import { TaskLoadError, WorkerPool } from "../../mod.ts";
import { settles } from "../_helpers/deadline.ts";
import { Inbox } from "../_helpers/inbox.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";
import { deepObject } from "../_fixtures/reliability/values.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const VALUES = import.meta.resolve("../_fixtures/reliability/values.ts");
type Values = typeof import("../_fixtures/reliability/values.ts");

/** Deep enough that V8's serializer overflows its stack on any side. */
const TOO_DEEP = 100_000;

/** The largest depth in 1…200 000 for which `works(depth)` holds. */
function largestDepth(works: (depth: number) => boolean): number {
  let low = 1;
  let high = 200_000;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (works(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

function succeeds(action: () => unknown): boolean {
  try {
    action();
    return true;
  } catch {
    return false;
  }
}

/**
 * V8 needs more stack to read nested objects than to write them: between
 * the two limits lies a depth one side serializes and the other cannot
 * deserialize. Measured here, in the same runtime as the workers.
 */
const SERIALIZE_LIMIT = largestDepth((depth) =>
  succeeds(() => serialize(deepObject(depth)))
);
const DESERIALIZE_LIMIT = largestDepth((depth) =>
  succeeds(() => deserialize(serialize(deepObject(depth))))
);
const ONE_WAY_DEPTH = Math.floor((SERIALIZE_LIMIT + DESERIALIZE_LIMIT) / 2);

function totalAccepted(pool: WorkerPool): number {
  return pool.stats().workers.reduce((sum, worker) => sum + worker.accepted, 0);
}

/** Asserts `error` is a `TypeError` whose message matches every pattern. */
function typeError(...patterns: RegExp[]): (error: unknown) => true {
  return (error) => {
    assert.ok(error instanceof TypeError, `got ${error}`);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  };
}

const STACK_OVERFLOW = /Maximum call stack size exceeded/;

Deno.test("node:v8 serialize() writes nested objects deeper than deserialize() can read back (the premise of the one-way tests)", () => {
  assert.ok(
    DESERIALIZE_LIMIT + 200 < SERIALIZE_LIMIT,
    `no room between the limits: deserialize ${DESERIALIZE_LIMIT}, serialize ${SERIALIZE_LIMIT}`,
  );
});

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool.dispatch() values that cannot cross the wire (transport "${transport}")`, async (t) => {
    await using pool = await WorkerPool.start({ spawn: 1, transport });
    const values = pool.remote<Values>(VALUES);
    const tasks = pool.remote<typeof import("../_fixtures/tasks.ts")>(TASKS);
    const [{ pid }] = pool.workers;
    // Loads the module, so each step below sees only its own failure.
    assert.equal(await values.depthOf([]), 1);

    async function assertWorkerKept(): Promise<void> {
      assert.deepEqual(pool.workers.map((worker) => worker.pid), [pid]);
      assert.equal(await tasks.pid(), pid);
    }

    await t.step(
      `WorkerPool.dispatch() rejects a ${TOO_DEEP}-deep argument with a TypeError naming its position and the stack overflow, before any worker is contacted`,
      async () => {
        const before = totalAccepted(pool);
        let deep: unknown[] = [];
        for (let i = 0; i < TOO_DEEP; i++) deep = [deep];
        await assert.rejects(
          values.depthOf(deep),
          typeError(/argument at index 0/, STACK_OVERFLOW),
        );
        assert.equal(totalAccepted(pool), before, "a worker was contacted");
      },
    );

    await t.step(
      `RemoteCall rejects with the worker's TypeError naming the result and the stack overflow when a task returns a ${TOO_DEEP}-deep value, and the worker stays`,
      async () => {
        await assert.rejects(
          values.deepArray(TOO_DEEP),
          typeError(
            /Cannot serialize the result of "deepArray"/,
            STACK_OVERFLOW,
          ),
        );
        await assertWorkerKept();
      },
    );

    await t.step(
      "RemoteCall rejects with the worker's TaskLoadError naming the arguments when they serialize on the caller but are too deep for the worker to deserialize (a nack), and the worker stays",
      async () => {
        await assert.rejects(
          values.depthOf(deepObject(ONE_WAY_DEPTH)),
          (error) => {
            assert.ok(error instanceof TaskLoadError, `got ${error}`);
            assert.equal(error.export, "depthOf");
            assert.match(error.message, /Cannot deserialize the arguments/);
            assert.match(error.message, STACK_OVERFLOW);
            return true;
          },
        );
        await assertWorkerKept();
      },
    );

    await t.step(
      "RemoteCall rejects with the caller's TypeError naming the result when the worker's result serializes but is too deep to deserialize, and the worker stays",
      async () => {
        await assert.rejects(
          values.deepObject(ONE_WAY_DEPTH),
          typeError(/Cannot deserialize the result/, STACK_OVERFLOW),
        );
        await assertWorkerKept();
      },
    );

    await t.step(
      "RemoteCall[Symbol.asyncIterator]() rejects the step whose yielded value the caller cannot deserialize, naming it, and the generator is closed in the worker",
      async () => {
        await using inbox = Inbox.open();
        const stream = values.yieldsDeep(ONE_WAY_DEPTH, inbox.port)
          [Symbol.asyncIterator]();
        assert.deepEqual(await stream.next(), { done: false, value: 1 });
        await assert.rejects(
          stream.next(),
          typeError(/Cannot deserialize the yielded value/, STACK_OVERFLOW),
        );
        assert.equal(
          await settles(inbox.next(), "the generator's finally"),
          "closed",
        );
        assert.deepEqual(await stream.next(), { done: true, value: undefined });
        await assertWorkerKept();
      },
    );

    await t.step(
      "RemoteCall[Symbol.asyncIterator]() rejects the step whose sent value the worker cannot deserialize, naming it, and the generator is closed in the worker",
      async () => {
        await using inbox = Inbox.open();
        const stream = tasks.ticksReportingClose(inbox.port)
          [Symbol.asyncIterator]();
        assert.deepEqual(await stream.next(), { done: false, value: 0 });
        await assert.rejects(
          stream.next(deepObject(ONE_WAY_DEPTH) as unknown as undefined),
          typeError(/Cannot deserialize the sent value/, STACK_OVERFLOW),
        );
        assert.match(
          await settles(inbox.next(), "the generator's finally"),
          /^closed/,
        );
        await assertWorkerKept();
      },
    );

    await t.step(
      "RemoteCall rejects with the worker's TypeError naming the result when a task returns a value V8 cannot clone across processes (WebAssembly.Module, SharedArrayBuffer), and the worker stays",
      async () => {
        await assert.rejects(
          values.wasmModule(),
          typeError(/Cannot serialize the result of "wasmModule"/),
        );
        await assert.rejects(
          values.sharedBuffer(),
          typeError(
            /Cannot serialize the result of "sharedBuffer"/,
            /SharedArrayBuffer/,
          ),
        );
        await assertWorkerKept();
      },
    );

    await t.step(
      "WorkerPool.dispatch() rejects a SharedArrayBuffer argument with a TypeError naming its position, before any worker is contacted",
      async () => {
        const before = totalAccepted(pool);
        await assert.rejects(
          values.depthOf(new SharedArrayBuffer(8)),
          typeError(/argument at index 0/, /SharedArrayBuffer/),
        );
        assert.equal(totalAccepted(pool), before, "a worker was contacted");
      },
    );
  });
}
