/**
 * A task's error reaches the caller with its name, message, stack, cause
 * and own properties; built-in classes keep their class, others arrive as
 * `RemoteError`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { RemoteError, WorkerPool } from "../../mod.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");

/** The error a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new assert.AssertionError({ message: "expected a rejection" });
}

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool.dispatch() remote errors (transport "${transport}")`, async (t) => {
    await using pool = await WorkerPool.start({ spawn: 1, transport });
    const tasks = pool.remote<Tasks>(TASKS);

    await t.step(
      "RemoteCall rejects with a RemoteError for a class the caller does not know: name kept, remoteName, message, remote stack, cause, own properties",
      async () => {
        const error = await rejection(tasks.failCustom("over quota"));
        assert.ok(error instanceof RemoteError, `got ${error}`);
        assert.equal(error.name, "QuotaExceeded");
        assert.equal(error.remoteName, "QuotaExceeded");
        assert.equal(error.message, "over quota");
        assert.match(
          error.stack ?? "",
          /at failCustom \(.*tasks\.ts:\d+:\d+\)/,
        );
        assert.equal((error as unknown as { code: number }).code, 42);
        const cause = error.cause;
        assert.ok(cause instanceof Error, `cause ${cause}`);
        assert.equal(cause.constructor, Error);
        assert.equal(cause.message, "root cause");
        assert.match(cause.stack ?? "", /at failCustom \(.*tasks\.ts/);
      },
    );

    await t.step(
      "RemoteCall rejects with a task's error whose own non-enumerable properties (issues, code) survive, still not enumerable, and whose uncloneable ones are dropped",
      async () => {
        const error = await rejection(tasks.failValidation());
        assert.ok(error instanceof TypeError, `got ${error}`);
        assert.equal(error.message, "invalid input");
        const fields = error as unknown as Record<string, unknown>;
        assert.deepStrictEqual(fields.issues, [
          { path: ["name"], message: "Required" },
        ]);
        assert.equal(fields.code, "E_INVALID");
        assert.deepEqual(Object.keys(error), [], "none became enumerable");
        assert.ok(!Object.hasOwn(error, "retry"), "a function cannot cross");

        const aggregate = await rejection(tasks.failAggregate());
        assert.ok(aggregate instanceof RemoteError, `got ${aggregate}`);
        assert.equal(aggregate.name, "AggregateError");
        const errors = (aggregate as unknown as { errors: unknown[] }).errors;
        assert.ok(errors[0] instanceof RangeError);
        assert.equal(errors[0].message, "first");
        assert.equal(errors[1], "second");
      },
    );

    await t.step(
      "RemoteCall rejects with the built-in class a task threw (RangeError), its message and remote stack",
      async () => {
        const error = await rejection(tasks.failRange("out of range"));
        assert.ok(error instanceof RangeError, `got ${error}`);
        assert.equal(error.constructor, RangeError);
        assert.equal(error.name, "RangeError");
        assert.equal(error.message, "out of range");
        assert.match(error.stack ?? "", /at failRange \(.*tasks\.ts/);
      },
    );

    await t.step(
      "RemoteCall rejects with the error of a routine that throws synchronously (TypeError kept)",
      async () => {
        const error = await rejection(tasks.failSync("sync failure"));
        assert.ok(error instanceof TypeError, `got ${error}`);
        assert.equal(error.message, "sync failure");
        assert.match(error.stack ?? "", /at failSync \(.*tasks\.ts/);
      },
    );

    await t.step(
      "RemoteCall[Symbol.asyncIterator]() throws the generator's error on the step that raised it",
      async () => {
        const seen: number[] = [];
        const error = await rejection((async () => {
          for await (const value of tasks.failMidway()) seen.push(value);
        })());
        assert.deepEqual(seen, [1]);
        assert.ok(error instanceof RangeError, `got ${error}`);
        assert.equal(error.message, "midway");
      },
    );
  });
}
