/**
 * Section 1 of the benchmark: the raw grpc-js floors, measured against a
 * minimal server in its own Deno process (`floor/server.ts`).
 *
 * @module
 */
import { FloorClient, type LongLivedStream } from "./floor/client.ts";
import {
  type ClosedLoopResult,
  runClosedLoop,
  runSequential,
  type SequentialResult,
} from "./_load.ts";
import { CpuMeter, type CpuPerTask, spawnServingChild } from "./_proc.ts";
import type { Budget } from "./_config.ts";

/** The floors of one run. */
export interface FloorResults {
  /** One bidi stream per task (task → ack + result). */
  readonly streamPerTask: {
    readonly sequential: SequentialResult;
    readonly c64: ClosedLoopResult;
    readonly c256: ClosedLoopResult;
  };
  /** One long-lived bidi stream echoing messages. */
  readonly longLivedStream: {
    readonly sequential: SequentialResult;
    readonly inFlight64: ClosedLoopResult;
    readonly inFlight256: ClosedLoopResult;
  };
  /**
   * One long-lived bidi stream answering each message with two (ack +
   * result): the exact message pattern of a coroutine on the pool's
   * `session` transport, without the pool.
   */
  readonly sessionShaped: {
    readonly sequential: SequentialResult;
    /**
     * Sequential again, each exchange on the other of two server processes
     * in turn — as a pool's sequential calls go to its two workers under
     * round robin. A process woken half as often runs its exchange slower
     * (its caches and CPU gone cold), which the one-server floor hides.
     * Absent from results older than this measurement.
     */
    readonly sequentialTwoServers?: SequentialResult;
    readonly inFlight64: ClosedLoopResult;
    /** CPU per message at 64 in flight: the client's and the server's. */
    readonly inFlight64Cpu: CpuPerTask;
  };
}

const SERVER = new URL("./floor/server.ts", import.meta.url);
const CONFIG = new URL("../deno.json", import.meta.url);

/** Measures the floors with a fresh server process and client. */
export async function measureFloors(budget: Budget): Promise<FloorResults> {
  await using server = await spawnServingChild(SERVER, CONFIG);
  const client = new FloorClient(server.address);
  try {
    const task = () => client.task();
    const streamPerTask = {
      sequential: await runSequential(task, {
        iterations: budget.sequentialIterations,
        rounds: budget.sequentialRounds,
      }),
      c64: await runClosedLoop(task, {
        concurrency: 64,
        durationMs: budget.loadMs,
        rounds: budget.rounds,
      }),
      c256: await runClosedLoop(task, {
        concurrency: 256,
        durationMs: budget.loadMs,
        rounds: budget.rounds,
      }),
    };
    const echo = client.openEcho();
    const send = () => echo.send();
    const longLivedStream = {
      sequential: await runSequential(send, {
        iterations: budget.sequentialIterations,
        rounds: budget.sequentialRounds,
      }),
      inFlight64: await runClosedLoop(send, {
        concurrency: 64,
        durationMs: budget.loadMs,
        rounds: budget.rounds,
      }),
      inFlight256: await runClosedLoop(send, {
        concurrency: 256,
        durationMs: budget.loadMs,
        rounds: budget.rounds,
      }),
    };
    echo.close();
    const session = client.openSession();
    const exchange = () => session.send();
    const sequential = await runSequential(exchange, {
      iterations: budget.sequentialIterations,
      rounds: budget.sequentialRounds,
    });
    const sequentialTwoServers = await alternating(
      session,
      budget,
    );
    let exchanged = 0;
    const meter = new CpuMeter([server.pid]);
    const inFlight64 = await runClosedLoop(async () => {
      await exchange();
      exchanged++;
    }, {
      concurrency: 64,
      durationMs: budget.loadMs,
      rounds: budget.rounds,
    });
    const sessionShaped = {
      sequential,
      sequentialTwoServers,
      inFlight64,
      inFlight64Cpu: meter.stop(exchanged),
    };
    session.close();
    return { streamPerTask, longLivedStream, sessionShaped };
  } finally {
    client.close();
  }
}

/**
 * Sequential exchanges on `first` and on a second server's session in
 * turn; see `sessionShaped.sequentialTwoServers`.
 */
async function alternating(
  first: LongLivedStream,
  budget: Budget,
): Promise<SequentialResult> {
  await using server = await spawnServingChild(SERVER, CONFIG);
  const client = new FloorClient(server.address);
  const second = client.openSession();
  try {
    let turn = 0;
    return await runSequential(
      () => (turn++ % 2 === 0 ? first : second).send(),
      {
        iterations: budget.sequentialIterations,
        rounds: budget.sequentialRounds,
      },
    );
  } finally {
    second.close();
    client.close();
  }
}
