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

/** A file outside the repository, removed when the test's scope ends. */
async function secretFile(
  text: string,
): Promise<AsyncDisposable & { path: string }> {
  const dir = await Deno.makeTempDir({ prefix: "wool-task-permissions-" });
  const path = `${dir}/secret.txt`;
  await Deno.writeTextFile(path, text);
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

/** A one-worker pool whose worker may read `read` and nothing else. */
function poolReading(read: string[]): Promise<WorkerPool> {
  return WorkerPool.start({
    spawn: 1,
    worker: { config: `${ROOT}deno.json`, permissions: { read } },
  });
}

Deno.test("WorkerPool: a task denied read of a file rejects with TaskPermissionDenied naming the worker.permissions entry, Deno's error as its cause", async () => {
  await using secret = await secretFile("only for the caller\nsecond line");
  // The task modules' own files (this repository), and nothing else.
  await using pool = await poolReading([ROOT]);
  const tasks = pool.remote<Tasks>(TASKS);
  const [worker] = pool.workers;
  const grant = `worker: { permissions: { read: [${
    JSON.stringify(secret.path)
  }] } }`;
  const isDenial = (error: unknown): true => {
    assert.ok(error instanceof TaskPermissionDenied, `got ${error}`);
    assert.ok(error instanceof WoolError);
    assert.equal(error.permission, "read");
    assert.equal(error.target, secret.path);
    assert.equal(error.grant, grant);
    assert.ok(error.message.includes(grant), error.message);
    assert.ok(error.cause instanceof RemoteError, `cause ${error.cause}`);
    assert.equal(error.cause.name, "NotCapable");
    assert.match(error.cause.message, /Requires read access to/);
    return true;
  };

  await assert.rejects(tasks.readText(secret.path), isDenial);

  const lines: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const line of tasks.readLines(secret.path)) lines.push(line);
    })(),
    isDenial,
  );
  assert.deepEqual(lines, ["started"], "the generator failed at its read");

  assert.match(await tasks.readText(`${ROOT}LICENSE`), /Apache License/);
  assert.deepEqual(pool.workers, [worker], "the worker keeps serving");
});

Deno.test("WorkerPool: a task granted read of the file by worker.permissions reads it", async () => {
  await using secret = await secretFile("granted");
  await using pool = await poolReading([ROOT, secret.path]);
  const tasks = pool.remote<Tasks>(TASKS);
  assert.equal(await tasks.readText(secret.path), "granted");
});
