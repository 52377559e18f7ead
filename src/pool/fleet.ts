/**
 * The pool's worker processes: spawning them, watching them exit,
 * replacing those that die (with backoff when replacements keep dying),
 * recycling those past a `recycle` limit, and stopping them all.
 * Membership itself lives in the roster; the fleet is what feeds it.
 *
 * Recycling a worker fails no call: its replacement is spawned first (the
 * pool keeps its size), then the worker leaves the roster (reason
 * `"recycled"`), so no new task goes to it, its calls in flight finish
 * (open generator streams included: every permit of its connection is
 * back), and it is stopped. The fleet runs the pool's reaper (`process/reaper.ts`)
 * from `start()` to the end of `close()`, so every worker's process group
 * ends if the pool's process dies.
 *
 * @module
 */
import { WorkerConnection } from "../connection/worker_connection.ts";
import type { AttemptCause } from "../loadbalancer/errors.ts";
import type { WorkerId } from "../loadbalancer/load_balancer.ts";
import {
  listenAddress,
  resolveWorkerLaunch,
  type WorkerLaunchPlan,
} from "../process/launch.ts";
import type { WorkerEndpoint } from "../process/permissions.ts";
import { describeExitCause } from "../process/exit_cause.ts";
import { Reaper } from "../process/reaper.ts";
import type { SocketDirectory } from "../process/socket_directory.ts";
import { spawnWorker, type WorkerProcess } from "../process/worker_process.ts";
import type { WorkerExit } from "../process/worker_exit.ts";
import { withWorkerResource } from "../process/worker_resource.ts";
import { FRAME_OVERHEAD_BYTES } from "../wire/frames.ts";
import type { ConnectionLimits, HookSpec } from "../wire/launch.ts";
import { Status, statusName } from "../wire/status.ts";
import { Backoff, pause } from "./backoff.ts";
import type { Removal } from "./dispatcher.ts";
import { type LivenessProbe, startLivenessProbe } from "./liveness_probe.ts";
import { type RecycleLimits, RecyclePolicy } from "./recycle.ts";
import {
  describeWorkerEnd,
  type Roster,
  type WorkerEnd,
  type WorkerEntry,
} from "./roster.ts";
import type { Transport } from "../connection/worker_connection.ts";
import type { StatsBook } from "./stats.ts";

/** How long a stopping worker gets to exit before it is signalled. */
const STOP_TIMEOUT_MS = 2000;
/** Replacements that keep dying are retried after 0.1 s, 0.2 s, … up to 5 s. */
const RESPAWN_BACKOFF = { firstMs: 100, maxMs: 5000 };
/** Milliseconds between probes for RSS alone (the liveness probe is off). */
const RSS_PROBE_INTERVAL_MS = 2500;

/** The slice of the pool options the fleet works with. */
export interface FleetOptions {
  readonly launch: WorkerLaunchPlan;
  /** Where workers listen: sockets in this directory, else TCP on `host`. */
  readonly sockets: SocketDirectory | undefined;
  readonly host: string;
  /** The pool's secret, which every worker requires of every call. */
  readonly secret: string;
  /** What one connection to a worker may hold. */
  readonly limits: ConnectionLimits;
  readonly backpressure: HookSpec | null;
  readonly backpressureTimeoutMs: number;
  readonly maxMessageBytes: number;
  readonly maxConcurrentDispatches: number;
  readonly startTimeoutMs: number;
  /** A worker silent this long (ms) to liveness probes is killed; 0: never. */
  readonly unresponsiveMs: number;
  readonly transport: Transport;
  readonly respawn: boolean;
  /** When a worker is replaced: after so many tasks, or past a size. */
  readonly recycle: RecycleLimits;
  readonly roster: Roster;
  readonly stats: StatsBook;
}

/** A started worker and its connection, before it joins the roster. */
interface Connected {
  readonly process: WorkerProcess;
  readonly connection: WorkerConnection;
}

/** Spawns, watches, replaces and stops a pool's workers. */
export class Fleet {
  readonly #options: FleetOptions;
  readonly #processes = new Map<WorkerId, WorkerProcess>();
  readonly #connections = new Map<WorkerId, WorkerConnection>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #probes = new Map<WorkerId, LivenessProbe>();
  readonly #hung = new Map<WorkerId, string>();
  /** Workers being recycled: their replacement is coming, or they drain. */
  readonly #recycling = new Map<WorkerId, "replacing" | "draining">();
  readonly #policy: RecyclePolicy;
  readonly #closing = new AbortController();
  #nextId = 1;
  readonly #respawnBackoff = new Backoff(RESPAWN_BACKOFF);
  #reaper: Reaper | undefined;

  constructor(options: FleetOptions) {
    this.#options = options;
    this.#policy = new RecyclePolicy(options.recycle);
  }

  /**
   * Starts `count` workers at once; resolves when all are ready.
   *
   * @throws {WorkerStartError} the first failure, after stopping every
   * worker that did start.
   */
  async start(count: number): Promise<void> {
    this.#reaper = await Reaper.start();
    if (this.#options.sockets) {
      this.#reaper?.removeAtEnd(this.#options.sockets.path);
    }
    // Each worker is connected as soon as it is ready, while the others
    // still start; none joins the roster until all are connected.
    const started = await Promise.allSettled(
      Array.from({ length: count }, () => this.#spawnConnected()),
    );
    const failure = started.find((outcome) => outcome.status === "rejected");
    if (failure) {
      await Promise.all(
        started
          .filter((outcome) => outcome.status === "fulfilled")
          .map(({ value: { process, connection } }) => {
            connection.close();
            return process.stop({ timeoutMs: STOP_TIMEOUT_MS });
          }),
      );
      await this.#reaper?.close();
      throw failure.reason;
    }
    for (const outcome of started) {
      if (outcome.status === "fulfilled") {
        this.#enlist(outcome.value.process, outcome.value.connection);
      }
    }
  }

  /**
   * Removes a worker that failed a dispatch in a way that is not transient
   * (`reason`: evicted, or refusing the pool's credentials), stops it, and
   * replaces it.
   */
  evict(id: WorkerId, _cause: AttemptCause, reason: Removal = "evicted"): void {
    if (!this.#options.roster.remove(id, reason)) return;
    this.#connections.get(id)?.close();
    this.#connections.delete(id);
    const process = this.#processes.get(id);
    if (process) this.#track(process.stop({ timeoutMs: STOP_TIMEOUT_MS }));
    this.#replaceLost(id);
  }

  /** Worker `id` accepted a task (an Ack): recycles it at `maxTasks`. */
  accepted(id: WorkerId): void {
    if (!this.#processes.has(id)) return;
    if (this.#policy.taskAccepted(id)) this.#recycle(id);
  }

  /**
   * Stops every worker: a `Stop` RPC, then stdin closed, then signals.
   * Resolves when every process has exited.
   */
  async close(): Promise<void> {
    this.#closing.abort();
    await Promise.allSettled([...this.#pending]);
    const ids = [...this.#processes.keys()];
    await Promise.all(ids.map((id) => this.#stop(id)));
    await this.#reaper?.close();
  }

  async #stop(id: WorkerId): Promise<void> {
    this.#probes.get(id)?.stop();
    this.#probes.delete(id);
    this.#options.roster.remove(id, "closed");
    const connection = this.#connections.get(id);
    const process = this.#processes.get(id);
    if (connection) {
      await connection.stop(0, STOP_TIMEOUT_MS).catch(() => {});
      connection.close();
      this.#connections.delete(id);
    }
    await process?.stop({ timeoutMs: STOP_TIMEOUT_MS });
  }

  #spawn(): Promise<WorkerProcess> {
    const options = this.#options;
    const id = `w${this.#nextId++}`;
    const endpoint: WorkerEndpoint = options.sockets
      ? { socketPath: options.sockets.socketPath(id) }
      : { host: options.host };
    const launch = resolveWorkerLaunch(options.launch, endpoint);
    return spawnWorker(withWorkerResource(launch, id), {
      id,
      nonce: crypto.randomUUID(),
      listen: listenAddress(endpoint),
      token: options.secret,
      limits: options.limits,
      backpressure: options.backpressure,
      backpressureTimeoutMs: options.backpressureTimeoutMs,
      maxMessageBytes: options.maxMessageBytes,
    }, {
      startTimeoutMs: options.startTimeoutMs,
      signal: this.#closing.signal,
      reaper: this.#reaper,
    });
  }

  /** A new worker, spawned and connected but not yet in the roster. */
  async #spawnConnected(): Promise<Connected> {
    const process = await this.#spawn();
    try {
      return { process, connection: await this.#connect(process) };
    } catch (error) {
      await process.stop({ timeoutMs: STOP_TIMEOUT_MS });
      throw error;
    }
  }

  #connect(process: WorkerProcess): Promise<WorkerConnection> {
    const options = this.#options;
    return WorkerConnection.create({
      address: process.address,
      token: options.secret,
      maxConcurrentDispatches: options.maxConcurrentDispatches,
      maxFrameBytes: options.maxMessageBytes + FRAME_OVERHEAD_BYTES,
      transport: options.transport,
    });
  }

  async #join(process: WorkerProcess): Promise<void> {
    this.#enlist(process, await this.#connect(process));
  }

  /** Adds a connected worker to the roster and starts watching it. */
  #enlist(process: WorkerProcess, connection: WorkerConnection): void {
    const options = this.#options;
    const id = process.id as WorkerId;
    this.#processes.set(id, process);
    this.#connections.set(id, connection);
    const entry: WorkerEntry = {
      info: Object.freeze({ id, address: process.address, pid: process.pid }),
      connection,
      exited: process.exitStatus.then((exit) => this.#end(id, exit)),
    };
    options.stats.track(id, process.address);
    options.roster.add(entry);
    void process.exited.then((exit) => this.#onExit(id, this.#end(id, exit)));
    this.#watch(id, connection, process);
  }

  /**
   * Probes a worker with `Idle` RPCs, when the pool watches for hung
   * workers or for their size. One unanswered within `unresponsiveMs`
   * means its event loop is stuck (a task in a synchronous loop): the
   * worker's group is killed, its calls fail with `WorkerCrashed`, and it
   * is replaced. An answer carries its RSS, for `recycle.maxRssBytes`.
   */
  #watch(
    id: WorkerId,
    connection: WorkerConnection,
    process: WorkerProcess,
  ): void {
    const { unresponsiveMs, roster } = this.#options;
    if (unresponsiveMs === 0 && !this.#policy.watchesRss) return;
    this.#probes.set(
      id,
      startLivenessProbe({
        idle: (timeoutMs) => connection.idle(timeoutMs),
        intervalMs: unresponsiveMs > 0
          ? unresponsiveMs / 4
          : RSS_PROBE_INTERVAL_MS,
        unresponsiveMs,
        probed: () =>
          roster.get(id) !== undefined ||
          this.#recycling.get(id) === "draining",
        onReport: ({ rssBytes }) => {
          if (this.#policy.rssReported(id, rssBytes)) this.#recycle(id);
        },
        onRefused: () =>
          // It answered, but not to this pool: not hung, misconfigured.
          this.evict(id, {
            address: connection.address,
            code: statusName(Status.UNAUTHENTICATED),
            message:
              `Worker ${id} refused the pool's credentials (UNAUTHENTICATED) to a liveness probe`,
          }, "unauthenticated"),
        onUnresponsive: () => {
          this.#hung.set(
            id,
            `the pool killed it: it did not answer a liveness probe within ${unresponsiveMs} ms (workerUnresponsiveMs)`,
          );
          process.kill("SIGKILL");
        },
      }),
    );
  }

  /** Starts replacing a worker that reached a recycle limit; once only. */
  #recycle(id: WorkerId): void {
    if (this.#recycling.has(id) || this.#closing.signal.aborted) return;
    if (this.#options.roster.get(id) === undefined) return;
    this.#recycling.set(id, "replacing");
    this.#track(this.#replace(id));
  }

  /**
   * Spawns the replacement, then takes the worker out of the roster, waits
   * until its calls in flight have ended, and stops it.
   */
  async #replace(id: WorkerId): Promise<void> {
    if (!await this.#respawn()) return; // The pool is closing: close() stops it.
    const entry = this.#options.roster.remove(id, "recycled");
    // Gone meanwhile (crashed): the replacement that joined takes its place.
    if (entry === undefined) return;
    this.#recycling.set(id, "draining");
    await entry.connection.permits.idle(this.#closing.signal);
    if (this.#closing.signal.aborted) return;
    await this.#stop(id);
  }

  /**
   * How worker `id` ended, and why when known: the pool killed it as hung,
   * or it ran out of memory.
   */
  #end(id: WorkerId, { code, signal, cause }: WorkerExit): WorkerEnd {
    const reason = this.#hung.get(id) ??
      (cause && describeExitCause(cause, this.#options.launch.resourceLimits));
    return reason === undefined ? { code, signal } : { code, signal, reason };
  }

  #onExit(id: WorkerId, end: WorkerEnd): void {
    this.#probes.get(id)?.stop();
    this.#probes.delete(id);
    this.#hung.delete(id);
    this.#processes.delete(id);
    this.#policy.forget(id);
    this.#options.sockets?.removeSocket(id);
    const worker = this.#options.roster.get(id)?.info;
    if (
      worker &&
      this.#options.roster.remove(id, "crashed", describeWorkerEnd(worker, end))
    ) {
      this.#replaceLost(id);
    }
    this.#recycling.delete(id);
    this.#connections.get(id)?.close();
    this.#connections.delete(id);
  }

  /** Replaces a worker that left unplanned, when the pool respawns. */
  #replaceLost(id: WorkerId): void {
    // A worker being recycled has its replacement coming already.
    if (this.#recycling.has(id)) return;
    if (this.#options.respawn && !this.#closing.signal.aborted) {
      this.#track(this.#respawn());
    }
  }

  /**
   * Spawns a replacement and adds it to the pool, retrying with a growing
   * delay while replacements fail. Resolves `true` once one has joined,
   * `false` when the pool began closing first.
   */
  async #respawn(): Promise<boolean> {
    while (!this.#closing.signal.aborted) {
      const delay = this.#respawnBackoff.delayMs;
      if (!(await pause(delay, this.#closing.signal))) break;
      if (this.#closing.signal.aborted) break;
      try {
        const process = await this.#spawn();
        if (this.#closing.signal.aborted) {
          await process.stop({ timeoutMs: STOP_TIMEOUT_MS });
          break;
        }
        this.#respawnBackoff.succeeded();
        await this.#join(process);
        return true;
      } catch {
        if (this.#closing.signal.aborted) break;
        this.#respawnBackoff.failed();
      }
    }
    return false;
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch(() => {}).finally(() =>
      this.#pending.delete(tracked)
    );
    this.#pending.add(tracked);
  }
}
