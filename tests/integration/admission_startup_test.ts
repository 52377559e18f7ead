/**
 * Each worker loads and validates its backpressure hook at start-up: every
 * way a hook spec can fail to yield a hook fails `WorkerPool.start` with a
 * `WorkerStartError` naming the module and export, and leaves no process
 * behind.
 *
 * The failing workers learn nothing to the test by themselves, so the hook
 * modules here append their pid to the file named by `WOOL_TEST_PID_FILE`
 * (`tests/_fixtures/hooks/records_pid.ts`) before they fail; where the hook
 * module cannot even load, the same module is `--preload`ed by a custom
 * launch of the worker entry.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type BackpressureSpec,
  WorkerPool,
  WorkerStartError,
} from "../../mod.ts";
import { isAlive } from "../_helpers/processes.ts";
import { preloadedWorker } from "../_helpers/worker_command.ts";

const HOOKS = new URL("../_fixtures/hooks/", import.meta.url);
const FAILURES = new URL("startup_failures.ts", HOOKS).href;
const IMPORT_THROWS = new URL("import_throws_recording.ts", HOOKS).href;
const RECORD_PID = new URL("records_pid.ts", HOOKS).href;
const MISSING = new URL("no_such_hook.ts", HOOKS).href;
const SPAWN = 2;

interface Case {
  readonly name: string;
  readonly spec: BackpressureSpec;
  /** The module and export the error must name, and what it must say. */
  readonly module: string;
  readonly export: string;
  readonly detail: RegExp;
  /** Record pids by preloading `records_pid.ts` (the hook never loads). */
  readonly preload?: boolean;
}

const CASES: readonly Case[] = [
  {
    name: "a specifier that names no module",
    spec: MISSING,
    module: MISSING,
    export: "default",
    detail: /the module failed to import/,
    preload: true,
  },
  {
    name: "a module that throws while it is imported",
    spec: IMPORT_THROWS,
    module: IMPORT_THROWS,
    export: "default",
    detail: /the module failed to import: .*hook module exploded at import/,
  },
  {
    name: "a missing export",
    spec: { module: FAILURES, export: "noSuchHook" },
    module: FAILURES,
    export: "noSuchHook",
    detail: /the module has no export "noSuchHook" \(exports: .*notAFunction/,
  },
  {
    name: "an export that is not a function (a string)",
    spec: { module: FAILURES, export: "notAFunction" },
    module: FAILURES,
    export: "notAFunction",
    detail: /the export is a string, not a function/,
  },
  {
    name: "a factory that throws",
    spec: { module: FAILURES, export: "throwingFactory", options: { n: 1 } },
    module: FAILURES,
    export: "throwingFactory",
    detail: /the factory threw: factory refused its options/,
  },
  {
    name: "a factory that returns no function",
    spec: { module: FAILURES, export: "nonFunctionFactory", options: {} },
    module: FAILURES,
    export: "nonFunctionFactory",
    detail: /the factory returned "not a hook", not a hook function/,
  },
];

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

async function readPids(path: string): Promise<number[]> {
  const text = await Deno.readTextFile(path).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  });
  return text.split("\n").filter((line) => line !== "").map(Number);
}

for (const c of CASES) {
  Deno.test(`WorkerPool.start() fails with WorkerStartError naming the hook's module and export for ${c.name}, leaving no process`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "wool_startup_" });
    const pidFile = `${dir}/pids.txt`;
    try {
      const env = { WOOL_TEST_PID_FILE: pidFile };
      const worker = c.preload
        ? { env, ...preloadedWorker(RECORD_PID) }
        : { env };
      const error = await WorkerPool.start({
        spawn: SPAWN,
        backpressure: c.spec,
        worker,
      }).then(
        async (pool) => {
          await pool.close();
          return assert.fail("WorkerPool.start() resolved");
        },
        (error: unknown) => error,
      );
      assert.ok(error instanceof WorkerStartError, String(error));
      assert.match(error.message, /^Cannot start worker w\d: /);
      assert.match(
        error.message,
        new RegExp(
          `Cannot load backpressure hook "${c.export}" from "${
            escape(c.module)
          }"`,
        ),
      );
      assert.match(error.message, c.detail);

      const pids = await readPids(pidFile);
      assert.equal(pids.length, SPAWN, `pids recorded: ${pids}`);
      // start() settles only once every process it spawned has exited.
      assert.deepEqual(pids.filter(isAlive), [], "worker processes left");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("WorkerPool.start() rejects a hook given as a function with a TypeError that says hooks are module specifiers, before any worker is spawned", async () => {
  // A worker command that cannot run: spawning anything would fail with a
  // WorkerStartError instead of the TypeError.
  const worker = { command: "/nonexistent/wool-worker" };
  const hook = () => true;
  for (
    const backpressure of [
      hook,
      { module: hook },
    ] as unknown as BackpressureSpec[]
  ) {
    await assert.rejects(
      WorkerPool.start({ spawn: 1, backpressure, worker }),
      (error: unknown) => {
        assert.ok(error instanceof TypeError, String(error));
        assert.match(error.message, /must be a module specifier/);
        assert.match(error.message, /closures cannot cross process boundaries/);
        return true;
      },
    );
  }
});

Deno.test("WorkerPool.start() with a valid hook from the same fixture module starts every worker", async () => {
  // The control for the cases above: the module itself is fine.
  const dir = await Deno.makeTempDir({ prefix: "wool_startup_" });
  try {
    await using pool = await WorkerPool.start({
      spawn: SPAWN,
      backpressure: FAILURES,
      worker: { env: { WOOL_TEST_PID_FILE: `${dir}/pids.txt` } },
    });
    assert.deepEqual(
      (await readPids(`${dir}/pids.txt`)).sort(),
      pool.workers.map((w) => w.pid).sort(),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
