/**
 * Hooks that learn, in real workers: a hook object's `settled` hears each
 * task its `admit` let in exactly once, when the task ends, with how it
 * ended; never a rejected task. A `settled` that throws or never settles
 * does not stop the worker serving. Both transports.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { TaskLoadError, WorkerPool } from "../../mod.ts";
import { Inbox } from "../_helpers/inbox.ts";
import { settles } from "../_helpers/deadline.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";
import { noWorkers } from "../_helpers/admission.ts";
import { tenant } from "../_fixtures/context_tasks.ts";
import type { SettledLine } from "../_fixtures/hooks/learning.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");
const LEARNING = import.meta.resolve("../_fixtures/hooks/learning.ts");

/** The lines the recording hook wrote, once its worker has exited. */
async function settledLines(path: string): Promise<SettledLine[]> {
  const text = await Deno.readTextFile(path).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  });
  return text.split("\n").filter((line) => line !== "").map((line) =>
    JSON.parse(line) as SettledLine
  );
}

for (const transport of TRANSPORTS) {
  const on = `(transport "${transport}")`;

  Deno.test(`A hook's settled() hears each admitted task once, with how it ended, and never a rejected one ${on}`, async () => {
    const dir = await Deno.makeTempDir();
    const path = join(dir, "settled.jsonl");
    try {
      const pool = await WorkerPool.start({
        spawn: 1,
        transport,
        backpressure: {
          module: LEARNING,
          export: "recording",
          options: { path },
        },
      });
      await using inbox = Inbox.open();
      try {
        const tasks = pool.remote<Tasks>(TASKS);
        assert.equal(await tasks.add(1, 2), 3);
        await assert.rejects(tasks.failCustom("no"), /no/);
        const counted: number[] = [];
        for await (const i of tasks.count(3)) counted.push(i);
        assert.deepEqual(counted, [0, 1, 2]);
        await noWorkers(
          pool.dispatch({
            module: TASKS,
            export: "add",
            args: [1, 1],
            tag: "reject",
          }),
        );
        await assert.rejects(
          pool.dispatch({ module: TASKS, export: "nope" }),
          TaskLoadError,
        );
        assert.equal(await tenant.run("acme", () => tasks.add(2, 2)), 4);
        const abort = new AbortController();
        const waiting = pool.dispatch({
          module: TASKS,
          export: "waitForAbort",
          args: [inbox.port],
          signal: abort.signal,
        });
        await inbox.arrived(1);
        abort.abort(new Error("enough"));
        await assert.rejects(waiting, /enough/);
        // The task saw the caller's cancel before close() stops the
        // worker (a stop would cancel it too, with another outcome).
        assert.equal(
          await settles(inbox.next(), "the task's abort"),
          "aborted:AbortError",
        );
      } finally {
        // Once the worker has exited, every settled() it made is on file.
        await pool.close();
      }
      const lines = await settledLines(path);
      assert.deepEqual(
        lines.map((
          line,
        ) => [line.export, line.outcome, line.generator, line.tenant]),
        [
          ["add", "ok", false, null],
          ["failCustom", "error", false, null],
          ["count", "ok", true, null],
          ["nope", "error", false, null],
          ["add", "ok", false, "acme"],
          ["waitForAbort", "cancelled", false, null],
        ],
      );
      assert.equal(new Set(lines.map((line) => line.id)).size, lines.length);
      for (const line of lines) {
        assert.ok(
          line.sameTask,
          `settled() got the task admit() saw: ${line.id}`,
        );
        assert.ok(line.queuedMs >= 0 && Number.isFinite(line.queuedMs));
        assert.ok(line.runMs >= 0 && Number.isFinite(line.runMs));
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  for (const fail of ["throw", "hang"] as const) {
    Deno.test(`A worker whose hook's settled() ${fail}s keeps serving, and keeps calling it ${on}`, async () => {
      const dir = await Deno.makeTempDir();
      const path = join(dir, "settled.jsonl");
      try {
        const pool = await WorkerPool.start({
          spawn: 1,
          transport,
          backpressure: {
            module: LEARNING,
            export: "recording",
            options: { path, fail },
          },
        });
        try {
          const tasks = pool.remote<Tasks>(TASKS);
          for (let i = 0; i < 5; i++) {
            assert.equal(await tasks.add(i, 1), i + 1);
          }
          const together = await Promise.all(
            Array.from({ length: 5 }, (_, i) => tasks.add(i, 2)),
          );
          assert.deepEqual(together, [2, 3, 4, 5, 6]);
        } finally {
          await pool.close();
        }
        const lines = await settledLines(path);
        assert.equal(lines.length, 10);
        assert.ok(lines.every((line) => line.outcome === "ok"));
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
}

const PACED = import.meta.resolve("../_fixtures/paced_tasks.ts");
type Paced = typeof import("../_fixtures/paced_tasks.ts");

Deno.test("adaptiveConcurrency learns from settled() in a real worker: its limit rises from 1 while latency stays flat", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "limits.txt");
  const waves = 40;
  const width = 12;
  try {
    const pool = await WorkerPool.start({
      spawn: 1,
      admissionWaitMs: 30_000,
      backpressure: {
        module: LEARNING,
        export: "adaptiveRecording",
        options: { path, windowMs: 20 },
      },
    });
    try {
      const paced = pool.remote<Paced>(PACED);
      for (let wave = 0; wave < waves; wave++) {
        await Promise.all(Array.from({ length: width }, () => paced.nap(5)));
      }
    } finally {
      await pool.close();
    }
    const limits = (await Deno.readTextFile(path)).trim().split("\n").map(
      Number,
    );
    assert.equal(limits.length, waves * width, "one settled() per task");
    assert.ok(
      Math.max(...limits) >= 4,
      `the limit rose from 1: ${limits.join(" ")}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
