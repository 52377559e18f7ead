/**
 * Workers resolve task modules as the caller does: its Deno configuration
 * (import map, `npm:` packages) or the one given as `worker.config`, and
 * absolute paths and URLs as written.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "npm:fast-check@4.11.0";
import { WorkerPool } from "../../mod.ts";

const TASKS_PATH = fileURLToPath(import.meta.resolve("../_fixtures/tasks.ts"));

/** Writes a small project with its own deno.json; returns its directory. */
async function writeProject(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "wool-project-" });
  await Deno.mkdir(join(dir, "lib"));
  await Deno.writeTextFile(
    join(dir, "deno.json"),
    JSON.stringify({
      imports: {
        "greeting": "./lib/greeting.ts",
        "fast-check": "npm:fast-check@4.11.0",
      },
      lock: false,
    }),
  );
  await Deno.writeTextFile(
    join(dir, "lib", "greeting.ts"),
    "export const greet = (name: string): string => `hello ${name}`;\n",
  );
  await Deno.writeTextFile(
    join(dir, "tasks.ts"),
    [
      'import { greet } from "greeting";',
      'import fc from "fast-check";',
      "export const hello = (name: string): string => greet(name);",
      "export const sample = (seed: number): number[] =>",
      "  fc.sample(fc.integer({ min: 0, max: 9 }), { seed, numRuns: 3 });",
      "",
    ].join("\n"),
  );
  return dir;
}

const expectedSample = (seed: number) =>
  fc.sample(fc.integer({ min: 0, max: 9 }), { seed, numRuns: 3 });

Deno.test("WorkerPool workers resolve task modules with the caller's deno.json by default: its import map and npm: packages", async () => {
  await using pool = await WorkerPool.start({ spawn: 1 });
  const tasks = pool.remote<typeof import("../_fixtures/mapped_tasks.ts")>(
    import.meta.resolve("../_fixtures/mapped_tasks.ts"),
  );
  assert.equal(await tasks.signalAborted(), false);
  assert.deepEqual(await tasks.sample(7), expectedSample(7));
});

Deno.test("WorkerPool workers resolve task modules with the deno.json given as worker.config: its import map and npm: packages", async () => {
  const dir = await writeProject();
  try {
    await using pool = await WorkerPool.start({
      spawn: 1,
      worker: { config: join(dir, "deno.json") },
    });
    const module = new URL(`file://${join(dir, "tasks.ts")}`);
    assert.equal(
      await pool.dispatch({ module, export: "hello", args: ["wool"] }),
      "hello wool",
    );
    assert.deepEqual(
      await pool.dispatch({ module, export: "sample", args: [11] }),
      expectedSample(11),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("WorkerPool.dispatch() takes a task module as an absolute path or a URL (a relative one is refused: relative_specifiers_test.ts)", async () => {
  await using pool = await WorkerPool.start({ spawn: 1 });
  assert.equal(
    await pool.dispatch({ module: TASKS_PATH, export: "add", args: [2, 3] }),
    5,
  );
  const url = new URL(import.meta.resolve("../_fixtures/tasks.ts"));
  assert.equal(
    await pool.dispatch({ module: url, export: "add", args: [4, 5] }),
    9,
  );
});
