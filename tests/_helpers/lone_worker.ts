/**
 * One real worker process, spawned as a pool spawns it (same entry, same
 * stdin protocol, a Unix socket in a private directory) but with the
 * connection limits and token a test chooses, for tests of the worker's
 * own defences.
 *
 * @module
 */
import {
  planWorkerLaunch,
  resolveWorkerLaunch,
} from "../../src/process/launch.ts";
import { SocketDirectory } from "../../src/process/socket_directory.ts";
import {
  spawnWorker,
  type WorkerProcess,
} from "../../src/process/worker_process.ts";
import { createPoolSecret } from "../../src/pool/secret.ts";
import {
  type ConnectionLimits,
  poolConnectionLimits,
} from "../../src/wire/launch.ts";

const ENTRY = new URL("../../src/worker/main.ts", import.meta.url);

/** A worker the test started, and what it takes to call it. */
export interface LoneWorker extends AsyncDisposable {
  readonly process: WorkerProcess;
  /** `unix:<path>`. */
  readonly address: string;
  /** The socket file. */
  readonly socketPath: string;
  /** The `authorization` value it requires. */
  readonly authorization: string;
}

/** Starts a worker with `limits` over the pool's defaults. */
export async function startLoneWorker(
  limits: Partial<ConnectionLimits> = {},
): Promise<LoneWorker> {
  const sockets = await SocketDirectory.create();
  if (sockets === undefined) throw new Error("Unix sockets are unavailable");
  const token = createPoolSecret();
  const socketPath = sockets.socketPath("w1");
  const launch = resolveWorkerLaunch(planWorkerLaunch({}, ENTRY), {
    socketPath,
  });
  let process: WorkerProcess;
  try {
    process = await spawnWorker(launch, {
      id: "w1",
      nonce: crypto.randomUUID(),
      listen: `unix:${socketPath}`,
      token,
      limits: { ...poolConnectionLimits(100), ...limits },
      backpressure: null,
      backpressureTimeoutMs: 1000,
      maxMessageBytes: 1 << 20,
    }, { startTimeoutMs: 30_000 });
  } catch (error) {
    await sockets.remove();
    throw error;
  }
  return {
    process,
    address: process.address,
    socketPath,
    authorization: `Bearer ${token}`,
    async [Symbol.asyncDispose]() {
      await process.stop();
      await sockets.remove();
    },
  };
}
