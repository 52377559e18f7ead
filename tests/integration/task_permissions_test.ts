/**
 * A permission denied inside a task says which `worker.permissions` entry
 * grants it: the call rejects with `TaskPermissionDenied`, Deno's own error
 * as its cause, and the worker keeps serving.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  RemoteError,
  TaskPermissionDenied,
  WoolError,
  WorkerPool,
} from "../../mod.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");

Deno.test("WorkerPool: a task denied read of a file rejects with TaskPermissionDenied naming the worker.permissions entry, Deno's error as its cause", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wool-task-permissions-" });
  const secret = `${dir}/secret.txt`;
  await Deno.writeTextFile(secret, "only for the caller\nsecond line");
  try {
    await using pool = await WorkerPool.start({
      spawn: 1,
      worker: {
        config: `${ROOT}deno.json`,
        // The task modules' own files (this repository), and nothing else.
        permissions: { read: [ROOT] },
      },
    });
    const tasks = pool.remote<Tasks>(TASKS);
    const [worker] = pool.workers;
    const grant = `worker: { permissions: { read: [${
      JSON.stringify(secret)
    }] } }`;
    const isDenial = (error: unknown): true => {
      assert.ok(error instanceof TaskPermissionDenied, `got ${error}`);
      assert.ok(error instanceof WoolError);
      assert.equal(error.permission, "read");
      assert.equal(error.target, secret);
      assert.equal(error.grant, grant);
      assert.ok(error.message.includes(grant), error.message);
      assert.ok(error.cause instanceof RemoteError, `cause ${error.cause}`);
      assert.equal(error.cause.name, "NotCapable");
      assert.match(error.cause.message, /Requires read access to/);
      return true;
    };

    await assert.rejects(tasks.readText(secret), isDenial);

    const lines: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const line of tasks.readLines(secret)) lines.push(line);
      })(),
      isDenial,
    );
    assert.deepEqual(lines, ["started"], "the generator failed at its read");

    assert.match(await tasks.readText(`${ROOT}LICENSE`), /Apache License/);
    assert.deepEqual(pool.workers, [worker], "the worker keeps serving");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("WorkerPool: a task granted read of the file by worker.permissions reads it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wool-task-permissions-" });
  const secret = `${dir}/secret.txt`;
  await Deno.writeTextFile(secret, "granted");
  try {
    await using pool = await WorkerPool.start({
      spawn: 1,
      worker: {
        config: `${ROOT}deno.json`,
        permissions: { read: [ROOT, secret] },
      },
    });
    const tasks = pool.remote<Tasks>(TASKS);
    assert.equal(await tasks.readText(secret), "granted");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
