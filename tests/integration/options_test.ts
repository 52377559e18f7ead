/**
 * `WorkerPool.start()` validates its options before it spawns anything.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { WorkerPool, type WorkerPoolOptions } from "../../mod.ts";

const RECORDING_LAUNCHER = fileURLToPath(
  import.meta.resolve("../_fixtures/recording_launcher.ts"),
);

/** Options that spawn one recording launcher, which notes its pid. */
interface LauncherOptions extends WorkerPoolOptions {
  readonly worker: {
    readonly command: string;
    readonly args: readonly string[];
    readonly env: Readonly<Record<string, string>>;
  };
}

interface BadOptions {
  readonly name: string;
  readonly error: typeof TypeError | typeof RangeError;
  readonly message: RegExp;
  /** Starts a pool with `base` and the bad option laid over it. */
  readonly start: (base: LauncherOptions) => Promise<WorkerPool>;
}

const BAD_OPTIONS: readonly BadOptions[] = [
  {
    name: "spawn: 0",
    error: RangeError,
    message: /"spawn".*received 0/,
    start: (base) => WorkerPool.start({ ...base, spawn: 0 }),
  },
  {
    name: "spawn: 1.5",
    error: RangeError,
    message: /"spawn"/,
    start: (base) => WorkerPool.start({ ...base, spawn: 1.5 }),
  },
  {
    name: 'spawn: "2"',
    error: TypeError,
    message: /"spawn".*received "2"/,
    // @ts-expect-error: spawn is a number
    start: (base) => WorkerPool.start({ ...base, spawn: "2" }),
  },
  {
    name: "maxMessageBytes: -1",
    error: RangeError,
    message: /"maxMessageBytes"/,
    start: (base) => WorkerPool.start({ ...base, maxMessageBytes: -1 }),
  },
  {
    name: "maxConcurrentDispatches: 0",
    error: RangeError,
    message: /"maxConcurrentDispatches"/,
    start: (base) => WorkerPool.start({ ...base, maxConcurrentDispatches: 0 }),
  },
  {
    name: "startTimeoutMs: NaN",
    error: RangeError,
    message: /"startTimeoutMs"/,
    start: (base) => WorkerPool.start({ ...base, startTimeoutMs: NaN }),
  },
  {
    name: 'respawn: "yes"',
    error: TypeError,
    message: /"respawn"/,
    // @ts-expect-error: respawn is a boolean
    start: (base) => WorkerPool.start({ ...base, respawn: "yes" }),
  },
  {
    name: 'transport: "udp"',
    error: TypeError,
    message: /"transport"/,
    // @ts-expect-error: transport is "session" or "dispatch"
    start: (base) => WorkerPool.start({ ...base, transport: "udp" }),
  },
  {
    name: "loadBalancer: {}",
    error: TypeError,
    message: /"loadBalancer"/,
    // @ts-expect-error: a load balancer has candidates()
    start: (base) => WorkerPool.start({ ...base, loadBalancer: {} }),
  },
  {
    name: "an unknown option",
    error: TypeError,
    message: /unknown option "spwan"/,
    // @ts-expect-error: no such option
    start: (base) => WorkerPool.start({ ...base, spwan: 2 }),
  },
  {
    name: "backpressure: a function",
    error: TypeError,
    message: /"backpressure" must be a module specifier/,
    // @ts-expect-error: hooks are module specifiers, not closures
    start: (base) => WorkerPool.start({ ...base, backpressure: () => true }),
  },
  {
    name: "worker.config with worker.command",
    error: TypeError,
    message: /"worker\.config"/,
    start: (base) =>
      WorkerPool.start({
        ...base,
        worker: { ...base.worker, config: "deno.json" },
      }),
  },
  {
    name: "worker.args with a number",
    error: TypeError,
    message: /"worker\.args\[1\]"/,
    start: (base) =>
      WorkerPool.start({
        ...base,
        // @ts-expect-error: arguments are strings
        worker: { ...base.worker, args: ["run", 42] },
      }),
  },
  {
    name: "worker.env with a number",
    error: TypeError,
    message: /"worker\.env\.WOOL_X"/,
    start: (base) =>
      WorkerPool.start({
        ...base,
        // @ts-expect-error: environment values are strings
        worker: { ...base.worker, env: { WOOL_X: 1 } },
      }),
  },
];

Deno.test("WorkerPool.start() rejects wrong option types and ranges with a TypeError/RangeError naming the option, before any worker is spawned", async (t) => {
  const pidDir = await Deno.makeTempDir({ prefix: "wool-options-" });
  const base: LauncherOptions = {
    spawn: 1,
    worker: {
      command: Deno.execPath(),
      args: ["run", "-A", RECORDING_LAUNCHER],
      env: { WOOL_PID_DIR: pidDir },
    },
  };
  try {
    for (const { name, error, message, start } of BAD_OPTIONS) {
      await t.step(`WorkerPool.start() rejects ${name}`, async () => {
        await assert.rejects(start(base), (thrown: unknown) => {
          assert.ok(
            thrown instanceof error,
            `expected ${error.name}, got ${thrown}`,
          );
          assert.match((thrown as Error).message, message);
          return true;
        });
      });
    }
    const spawned = [...Deno.readDirSync(pidDir)];
    assert.deepEqual(spawned, [], "a worker was spawned for bad options");

    await t.step(
      "WorkerPool.start() spawns with the same base options (the launcher would have noted a spawn)",
      async () => {
        await using pool = await WorkerPool.start(base);
        assert.deepEqual(
          [...Deno.readDirSync(pidDir)].map((entry) => entry.name).sort(),
          [String(pool.workers[0].pid), "slot-0"].sort(),
        );
      },
    );
  } finally {
    await Deno.remove(pidDir, { recursive: true });
  }
});
