/**
 * Section `nested`: what a nested call costs. The trivial task called
 * directly by the pool's caller, next to a task that makes one nested call
 * of it through `currentPool()` (the call goes back to the pool over the
 * parent's conversation, out to a worker, and its answer back the same
 * way), on a 2-worker pool, on both transports, in alternating rounds.
 *
 * A direct call is two one-way messages (the Task frame; the Ack and Result
 * in one batch). A nested call is six: the parent's Task frame; its Ack and
 * Call back to the pool; the child's Task frame; the child's Ack and Result;
 * the CallReply frames to the parent; the parent's Result. Sequential
 * latency near 3× the direct call's is that structure, not the relay's own
 * cost; at concurrency, a nested call is two tasks.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type Transport, WorkerPool } from "@wool/core";
import type { Budget } from "./_config.ts";
import {
  type ClosedLoopResult,
  runClosedLoop,
  runSequential,
  type SequentialResult,
} from "./_load.ts";
import { WORKERS } from "./_pool.ts";
import { formatMs, formatRate, renderTable } from "./_table.ts";

const TASKS = new URL("./fixtures/tasks.ts", import.meta.url).href;
const NESTED = new URL("./fixtures/nested_tasks.ts", import.meta.url).href;
/** Calls in flight in the throughput rounds. */
const CONCURRENCY = 16;

/** One transport's figures. */
export interface NestedTransportResults {
  readonly transport: Transport;
  /** The trivial task, called directly. */
  readonly direct: {
    readonly sequential: SequentialResult;
    readonly c16: ClosedLoopResult;
  };
  /** A task making one nested call of the trivial task. */
  readonly nested: {
    readonly sequential: SequentialResult;
    readonly c16: ClosedLoopResult;
  };
  /** Nested p50 / direct p50, sequential. */
  readonly latencyRatio: number;
  /** Nested calls per second / direct calls per second, at c16. */
  readonly rateRatio: number;
}

/** Section `nested`, per transport. */
export interface NestedResults {
  readonly session: NestedTransportResults;
  readonly dispatch: NestedTransportResults;
}

/** Measures section `nested`. */
export async function measureNested(budget: Budget): Promise<NestedResults> {
  return {
    session: await measureTransport("session", budget),
    dispatch: await measureTransport("dispatch", budget),
  };
}

async function measureTransport(
  transport: Transport,
  budget: Budget,
): Promise<NestedTransportResults> {
  await using pool = await WorkerPool.start({
    spawn: WORKERS,
    transport,
    worker: {
      config: fileURLToPath(new URL("../deno.json", import.meta.url)),
    },
  });
  const direct = async () => {
    const sum = await pool.dispatch({
      module: TASKS,
      export: "add",
      args: [1, 2],
    });
    if (sum !== 3) throw new Error(`add(1, 2) answered ${sum}`);
  };
  const nested = async () => {
    const sum = await pool.dispatch({
      module: NESTED,
      export: "addNested",
      args: [1, 2],
    });
    if (sum !== 3) throw new Error(`addNested(1, 2) answered ${sum}`);
  };
  const sequential = (op: () => Promise<void>) =>
    runSequential(op, {
      iterations: budget.sequentialIterations,
      rounds: budget.sequentialRounds,
    });
  const closed = (op: () => Promise<void>) =>
    runClosedLoop(op, {
      concurrency: CONCURRENCY,
      durationMs: budget.loadMs,
      rounds: budget.rounds,
    });
  const directSequential = await sequential(direct);
  const nestedSequential = await sequential(nested);
  const directC16 = await closed(direct);
  const nestedC16 = await closed(nested);
  return {
    transport,
    direct: { sequential: directSequential, c16: directC16 },
    nested: { sequential: nestedSequential, c16: nestedC16 },
    latencyRatio: nestedSequential.latency.p50Ms /
      directSequential.latency.p50Ms,
    rateRatio: nestedC16.perSecond / directC16.perSecond,
  };
}

/** The section's table. */
export function renderNestedTable(results: NestedResults): string {
  const rows: string[][] = [];
  for (const figures of [results.session, results.dispatch]) {
    rows.push(
      [
        `${figures.transport}: sequential p50`,
        formatMs(figures.direct.sequential.latency.p50Ms),
        formatMs(figures.nested.sequential.latency.p50Ms),
        `${figures.latencyRatio.toFixed(2)}×`,
      ],
      [
        `${figures.transport}: c${CONCURRENCY} calls/s`,
        formatRate(figures.direct.c16.perSecond),
        formatRate(figures.nested.c16.perSecond),
        `${figures.rateRatio.toFixed(2)}×`,
      ],
    );
  }
  return renderTable(
    [
      "nested call (2 workers)",
      "direct: add",
      "nested: a task calling add",
      "nested / direct",
    ],
    rows,
    ["left", "right", "right", "right"],
  );
}
