/**
 * A pairwise covering set of pool configurations, as wool's integration
 * suite has: every pair of levels of any two factors appears in some row,
 * in 12 rows instead of the full product's 96.
 *
 * | #  | spawn | hook    | task      | concurrency | transport |
 * | -- | ----- | ------- | --------- | ----------- | --------- |
 * | 1  | 1     | none    | coroutine | 1           | dispatch  |
 * | 2  | 2     | none    | generator | 64          | session   |
 * | 3  | 4     | none    | coroutine | 1           | dispatch  |
 * | 4  | 1     | sync    | generator | 64          | session   |
 * | 5  | 2     | sync    | coroutine | 1           | session   |
 * | 6  | 4     | sync    | coroutine | 1           | dispatch  |
 * | 7  | 1     | async   | coroutine | 64          | dispatch  |
 * | 8  | 2     | async   | generator | 1           | session   |
 * | 9  | 4     | async   | generator | 1           | session   |
 * | 10 | 1     | factory | generator | 1           | session   |
 * | 11 | 2     | factory | generator | 1           | dispatch  |
 * | 12 | 4     | factory | coroutine | 64          | dispatch  |
 *
 * One fixture design serves every row: the hook is
 * `tests/_fixtures/hooks/scripted.ts` (its default export for `sync`, its
 * `asyncHook` export for `async`, its `scripted` factory with options for
 * `factory`), which rejects exactly the calls tagged `"reject"`. Each row
 * makes 8 calls one at a time (concurrency 1) or 64 at once, every fourth
 * one tagged; the coroutine is `add(i, i)`, the generator `count(3)`.
 * Each row checks every result, each rejection's causes (one per worker),
 * and the pool's accounting: per worker, one hook rejection per tagged
 * call; acceptances adding up to the untagged calls (all calls with no
 * hook); no worker lost.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type BackpressureSpec,
  NoWorkersAvailable,
  type Transport,
  WorkerPool,
} from "../../mod.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const SCRIPTED = import.meta.resolve("../_fixtures/hooks/scripted.ts");

type Hook = "none" | "sync" | "async" | "factory";
type Kind = "coroutine" | "generator";

interface Row {
  readonly spawn: 1 | 2 | 4;
  readonly hook: Hook;
  readonly kind: Kind;
  readonly concurrency: 1 | 64;
  readonly transport: Transport;
}

const ROWS: readonly Row[] = [
  [1, "none", "coroutine", 1, "dispatch"],
  [2, "none", "generator", 64, "session"],
  [4, "none", "coroutine", 1, "dispatch"],
  [1, "sync", "generator", 64, "session"],
  [2, "sync", "coroutine", 1, "session"],
  [4, "sync", "coroutine", 1, "dispatch"],
  [1, "async", "coroutine", 64, "dispatch"],
  [2, "async", "generator", 1, "session"],
  [4, "async", "generator", 1, "session"],
  [1, "factory", "generator", 1, "session"],
  [2, "factory", "generator", 1, "dispatch"],
  [4, "factory", "coroutine", 64, "dispatch"],
].map(([spawn, hook, kind, concurrency, transport]) =>
  Object.freeze({ spawn, hook, kind, concurrency, transport }) as Row
);

const LEVELS = {
  spawn: [1, 2, 4],
  hook: ["none", "sync", "async", "factory"],
  kind: ["coroutine", "generator"],
  concurrency: [1, 64],
  transport: ["session", "dispatch"],
} as const;

const HOOKS: Record<Hook, BackpressureSpec | undefined> = {
  none: undefined,
  sync: SCRIPTED,
  async: { module: SCRIPTED, export: "asyncHook" },
  factory: { module: SCRIPTED, export: "scripted", options: { limit: 1000 } },
};

/** Calls made one at a time in a row of concurrency 1. */
const SEQUENTIAL_CALLS = 8;

function tagOf(i: number): string | undefined {
  return i % 4 === 3 ? "reject" : undefined;
}

function expected(kind: Kind, i: number): unknown {
  return kind === "coroutine" ? 2 * i : [0, 1, 2];
}

async function call(
  pool: WorkerPool,
  kind: Kind,
  i: number,
): Promise<unknown> {
  const tag = tagOf(i);
  if (kind === "coroutine") {
    return await pool.dispatch({
      module: TASKS,
      export: "add",
      args: [i, i],
      tag,
    });
  }
  const seen: unknown[] = [];
  const stream = pool.dispatch({
    module: TASKS,
    export: "count",
    args: [3],
    tag,
  });
  for await (const value of stream) seen.push(value);
  return seen;
}

Deno.test("Admission matrix ROWS cover every pair of levels of any two factors", () => {
  const factors = Object.keys(LEVELS) as (keyof typeof LEVELS)[];
  const missing: string[] = [];
  for (
    const [a, b] of factors.flatMap((a, i) =>
      factors.slice(i + 1).map((b) => [a, b] as const)
    )
  ) {
    for (const x of LEVELS[a]) {
      for (const y of LEVELS[b]) {
        if (!ROWS.some((row) => row[a] === x && row[b] === y)) {
          missing.push(`${a}=${x} × ${b}=${y}`);
        }
      }
    }
  }
  assert.deepEqual(missing, []);
});

ROWS.forEach((row, index) => {
  const name = `WorkerPool row ${
    index + 1
  }: spawn ${row.spawn}, hook ${row.hook}, ${row.kind}, concurrency ${row.concurrency}, transport "${row.transport}" gives every result and counts every rejection`;
  Deno.test(name, async () => {
    const hooked = row.hook !== "none";
    await using pool = await WorkerPool.start({
      spawn: row.spawn,
      transport: row.transport,
      backpressure: HOOKS[row.hook],
    });
    const workers = pool.workers;
    const count = row.concurrency === 1 ? SEQUENTIAL_CALLS : row.concurrency;
    const outcomes: PromiseSettledResult<unknown>[] = [];
    if (row.concurrency === 1) {
      for (let i = 0; i < count; i++) {
        outcomes.push(...await Promise.allSettled([call(pool, row.kind, i)]));
      }
    } else {
      outcomes.push(
        ...await Promise.allSettled(
          Array.from({ length: count }, (_, i) => call(pool, row.kind, i)),
        ),
      );
    }

    let tagged = 0;
    outcomes.forEach((outcome, i) => {
      if (hooked && tagOf(i) !== undefined) {
        tagged++;
        assert.equal(outcome.status, "rejected", `call ${i}`);
        const error = (outcome as PromiseRejectedResult).reason;
        assert.ok(error instanceof NoWorkersAvailable, String(error));
        assert.deepEqual(
          error.causes.map((cause) => cause.address).sort(),
          workers.map((worker) => worker.address).sort(),
        );
        for (const cause of error.causes) {
          assert.equal(cause.code, "RESOURCE_EXHAUSTED");
          assert.equal(
            cause.message,
            "Rejected by backpressure hook: tagged reject",
          );
        }
        return;
      }
      assert.deepEqual(outcome, {
        status: "fulfilled",
        value: expected(row.kind, i),
      }, `call ${i}`);
    });

    const stats = pool.stats();
    assert.equal(stats.workers.length, row.spawn);
    assert.equal(
      stats.workers.reduce((sum, worker) => sum + worker.accepted, 0),
      count - tagged,
    );
    for (const worker of stats.workers) {
      assert.deepEqual(worker.rejected, {
        hook: tagged,
        "hook-error": 0,
        "hook-timeout": 0,
        stopping: 0,
      });
    }
    assert.equal(stats.exhausted, tagged);
    assert.equal(stats.waited, 0);
    assert.deepEqual(pool.workers, workers);
  });
});
