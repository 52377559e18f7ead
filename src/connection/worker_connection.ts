/**
 * The caller's connection to one worker: a grpc-js client, a semaphore
 * capping the tasks in flight on it, and the transport tasks travel on.
 *
 * @module
 */
import { grpc } from "../wire/grpc.ts";
import type {
  RequestFrame,
  ResponseFrame,
  SessionRequests,
  SessionResponses,
} from "../wire/frames.ts";
import { credentialMetadata } from "../wire/credential.ts";
import { loadWorkerService } from "../wire/proto.ts";
import {
  decodeWorkerDetails,
  type WorkerDetails,
  type WorkerDetailsMessage,
} from "../wire/worker_details.ts";
import { type DropStream, openDispatchChannel } from "./dispatch_channel.ts";
import { Semaphore } from "./semaphore.ts";
import { type ClientTls, tlsChannel } from "./tls_target.ts";
import { SessionMux } from "./session_mux.ts";
import type { TaskChannel } from "./task_channel.ts";

/**
 * How tasks travel to a worker:
 * - `"session"`: many tasks multiplexed over one long-lived stream (fast);
 * - `"dispatch"`: one gRPC stream per task.
 * Both have exactly the same per-task behaviour.
 */
export type Transport = "session" | "dispatch";

/** What the dispatcher needs of a worker connection (fakes implement it). */
export interface TaskConnection {
  /** `unix:<path>` or `host:port` of the worker, as `pool.workers` shows it. */
  readonly address: string;
  /** Caps the tasks in flight on this connection. */
  readonly permits: Semaphore;
  /** Opens one task's channel. */
  open(): TaskChannel;
}

/** What a worker answers to `Idle` (the liveness probe). */
export interface IdleReport {
  /** Seconds since its docket last emptied; 0 while it holds a task. */
  readonly idleSeconds: number;
  /** Its process's resident set size in bytes. */
  readonly rssBytes: number;
}

/** The narrow options a connection is built from. */
export interface WorkerConnectionOptions {
  readonly address: string;
  /**
   * The secret every call presents (`authorization: Bearer <token>`);
   * none for a worker that authenticates callers by their TLS client
   * certificate alone, or takes anyone (`--insecure`).
   */
  readonly token: string | undefined;
  /** Dial over TLS, trusting `tls.ca` (and presenting `tls.cert`). */
  readonly tls?: ClientTls;
  /**
   * The name to check the worker's TLS certificate against, when not the
   * host of `address`.
   */
  readonly serverName?: string;
  readonly maxConcurrentDispatches: number;
  /** Largest frame, in bytes, including the frame's own fields. */
  readonly maxFrameBytes: number;
  readonly transport: Transport;
}

/** How long {@linkcode WorkerConnection.create} waits for the connection. */
const CONNECT_WAIT_MS = 5000;

/** A grpc-js connection to one worker. */
export class WorkerConnection implements TaskConnection {
  readonly address: string;
  readonly permits: Semaphore;
  readonly #client: grpc.Client;
  readonly #service: grpc.ServiceDefinition;
  readonly #mux: SessionMux | undefined;
  /** The `Dispatch` streams open now, which `close()` ends. */
  readonly #dispatches = new Set<DropStream>();
  readonly #credential: () => grpc.Metadata;

  private constructor(
    options: WorkerConnectionOptions,
    service: grpc.ServiceDefinition,
  ) {
    this.address = options.address;
    this.permits = new Semaphore(options.maxConcurrentDispatches);
    this.#service = service;
    const { token } = options;
    this.#credential = token === undefined
      ? () => new grpc.Metadata()
      : () => credentialMetadata(token);
    const tls = options.tls === undefined
      ? undefined
      : tlsChannel(options.address, options.tls, options.serverName);
    this.#client = new grpc.Client(
      options.address,
      tls?.credentials ?? grpc.credentials.createInsecure(),
      {
        "grpc.max_receive_message_length": options.maxFrameBytes,
        "grpc.max_send_message_length": options.maxFrameBytes,
        "grpc.enable_retries": 0,
        "grpc.use_local_subchannel_pool": 1,
        ...tls?.options,
      },
    );
    this.#mux = options.transport === "session"
      ? new SessionMux(
        this.#client,
        service.Session as grpc.MethodDefinition<
          SessionRequests,
          SessionResponses
        >,
        options.maxFrameBytes,
        this.#credential,
      )
      : undefined;
  }

  /**
   * Connects to the worker at `options.address` with a first call (an
   * `Idle`), and resolves once the connection is up — the worker's gRPC
   * server took it and the HTTP/2 handshake is done — or once that call
   * failed (or after {@linkcode CONNECT_WAIT_MS}; grpc-js then connects
   * on the next call). Connected first, a task's channel knows from the
   * first task on that its frame may reach the worker, which is what
   * keeps a task whose worker died before its Ack from running twice.
   * The `Idle` call, sent first on the connection, authenticates it, so
   * it is never one the worker counts as pending and closes. Its answer
   * is not waited for: a new worker gives it through code that has not
   * run yet, and a first task goes out on the same connection behind it
   * (bench/README.md, round 21: the pool is ready ~13 ms sooner, its
   * first answers come as soon as before).
   */
  static async create(
    options: WorkerConnectionOptions,
  ): Promise<WorkerConnection> {
    const connection = await WorkerConnection.open(options);
    const settled = connection.idle(CONNECT_WAIT_MS).then(() => {}, () => {});
    await Promise.race([settled, connection.#up()]);
    return connection;
  }

  /**
   * A connection to the worker at `options.address`, making no call: the
   * caller's first (an `Info`, for a discovered worker) connects it, and
   * says whether it serves.
   */
  static async open(
    options: WorkerConnectionOptions,
  ): Promise<WorkerConnection> {
    return new WorkerConnection(options, await loadWorkerService());
  }

  /** Resolves once the connection is up; never, if it is closed first. */
  #up(): Promise<void> {
    const channel = this.#client.getChannel();
    const { READY, SHUTDOWN } = grpc.connectivityState;
    return new Promise((resolve) => {
      const watch = () => {
        const state = channel.getConnectivityState(false);
        if (state === READY) return resolve();
        if (state !== SHUTDOWN) {
          channel.watchConnectivityState(state, Infinity, watch);
        }
      };
      watch();
    });
  }

  /**
   * Resolves once the connection, having been up, goes down — the worker
   * went away or the network broke — or is closed. grpc-js reconnects on
   * the next call; the pool takes such a worker out and dials it again.
   */
  lost(): Promise<void> {
    const channel = this.#client.getChannel();
    const { READY, SHUTDOWN } = grpc.connectivityState;
    return new Promise((resolve) => {
      let wasReady = false;
      const watch = () => {
        const state = channel.getConnectivityState(false);
        if (state === SHUTDOWN || (wasReady && state !== READY)) {
          return resolve();
        }
        wasReady ||= state === READY;
        channel.watchConnectivityState(state, Infinity, watch);
      };
      watch();
    });
  }

  /** Opens one task's channel on the configured transport. */
  open(): TaskChannel {
    if (this.#mux) return this.#mux.open();
    return openDispatchChannel(
      this.#client,
      this.#service.Dispatch as grpc.MethodDefinition<
        RequestFrame,
        ResponseFrame
      >,
      this.#credential(),
      this.#dispatches,
    );
  }

  /**
   * The worker's `Idle` answer: seconds since its docket last emptied, and
   * its resident set size (0 from a worker that does not report it).
   */
  async idle(timeoutMs = 5000): Promise<IdleReport> {
    const reply = await this.#unary<{ seconds?: number; rssBytes?: number }>(
      "Idle",
      {},
      timeoutMs,
    );
    return { idleSeconds: reply.seconds ?? 0, rssBytes: reply.rssBytes ?? 0 };
  }

  /**
   * The worker's `Info` answer: its protocol version, id, address, tags,
   * pid, capacity (when it names one) and whether it is draining.
   */
  async info(timeoutMs = 5000): Promise<WorkerDetails> {
    return decodeWorkerDetails(
      await this.#unary<Partial<WorkerDetailsMessage> | undefined>(
        "Info",
        {},
        timeoutMs,
      ),
    );
  }

  /**
   * Asks the worker to stop: it admits nothing more, gives its tasks
   * `graceMs` to finish, cancels the rest, answers, and exits.
   */
  async stop(graceMs: number, timeoutMs: number): Promise<void> {
    await this.#unary("Stop", { graceMs }, timeoutMs);
  }

  /**
   * Closes the session stream, the `Dispatch` streams still open, and the
   * client: tasks still on them end `CANCELLED`, delivery unknown once the
   * worker may have them (their calls fail with `WorkerCrashed`).
   */
  close(): void {
    this.#mux?.close();
    for (const drop of [...this.#dispatches]) drop();
    this.#dispatches.clear();
    this.#client.close();
  }

  #unary<R>(
    method: "Idle" | "Info" | "Stop",
    request: unknown,
    timeoutMs: number,
  ): Promise<R> {
    const definition = this.#service[method] as grpc.MethodDefinition<
      unknown,
      R
    >;
    return new Promise((resolve, reject) => {
      this.#client.makeUnaryRequest(
        definition.path,
        definition.requestSerialize,
        definition.responseDeserialize,
        request,
        this.#credential(),
        { deadline: Date.now() + timeoutMs },
        (error, reply) => error ? reject(error) : resolve(reply as R),
      );
    });
  }
}
