/**
 * `WorkerPool.start()` on a Deno release known to break wool: it fails
 * before spawning anything, unless `allowKnownBadDeno` is set.
 *
 * Tests cannot run another Deno: they give `start()` the version it reads,
 * `Deno.version.deno`, for the length of one call.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  UnsupportedDenoVersion,
  WoolError,
  WorkerPool,
  type WorkerPoolOptions,
} from "../../mod.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const RECORDING_LAUNCHER = fileURLToPath(
  import.meta.resolve("../_fixtures/recording_launcher.ts"),
);

/** `WorkerPool.start(options)` while `Deno.version.deno` reads `version`. */
async function startOn(
  version: string,
  options: WorkerPoolOptions,
): Promise<WorkerPool> {
  const real = Deno.version;
  Object.defineProperty(Deno, "version", {
    value: Object.freeze({ ...real, deno: version }),
    configurable: true,
    writable: true,
  });
  try {
    return await WorkerPool.start(options);
  } finally {
    Object.defineProperty(Deno, "version", {
      value: real,
      configurable: true,
      writable: true,
    });
  }
}

/** Pool options whose workers record their pids in `dir` when spawned. */
function recording(dir: string, allowKnownBadDeno?: boolean) {
  return {
    spawn: 2,
    ...(allowKnownBadDeno === undefined ? {} : { allowKnownBadDeno }),
    worker: {
      command: Deno.execPath(),
      args: ["run", "-A", RECORDING_LAUNCHER],
      env: { WOOL_PID_DIR: dir },
    },
  } satisfies WorkerPoolOptions;
}

async function entries(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name);
}

Deno.test("WorkerPool.start() on Deno 2.9.5 rejects with UnsupportedDenoVersion naming the version and the fix, and spawns nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wool-deno-version-" });
  try {
    await assert.rejects(startOn("2.9.5", recording(dir)), (error) => {
      assert.ok(error instanceof UnsupportedDenoVersion, `got ${error}`);
      assert.ok(error instanceof WoolError);
      assert.equal(error.version, "2.9.5");
      assert.match(error.message, /^Cannot start worker pool: Deno 2\.9\.5 /);
      assert.match(error.message, /npm install -g deno@2\.9\.3/);
      assert.match(error.message, /allowKnownBadDeno: true/);
      return true;
    });
    assert.deepEqual(await entries(dir), [], "no worker was spawned");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("WorkerPool.start() on Deno 2.9.5 with allowKnownBadDeno: true starts its workers and runs tasks", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wool-deno-version-" });
  try {
    {
      await using pool = await startOn("2.9.5", recording(dir, true));
      assert.equal(pool.workers.length, 2);
      assert.equal(
        await pool.dispatch({ module: TASKS, export: "add", args: [1, 2] }),
        3,
      );
    }
    const pids = (await entries(dir)).filter((name) => /^\d+$/.test(name));
    assert.equal(pids.length, 2, `spawned: ${pids}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("WorkerPool.start() validates allowKnownBadDeno like every option, before spawning", async () => {
  await assert.rejects(
    // @ts-expect-error allowKnownBadDeno is a boolean
    WorkerPool.start({ spawn: 1, allowKnownBadDeno: 1 }),
    {
      name: "TypeError",
      message:
        'Cannot start worker pool: "allowKnownBadDeno" must be a boolean, received 1',
    },
  );
});
