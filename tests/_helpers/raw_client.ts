/**
 * A raw grpc-js client of a worker's `wool.v1.Worker` service, for tests
 * that speak the wire protocol directly (protocol checks, `Idle`,
 * connection churn, authentication), bypassing the pool: its own
 * connection, the service definition, and the credential the test gives
 * (the pool's secret, another, or none).
 *
 * @module
 */
import { grpc } from "../../src/wire/grpc.ts";
import { serialize } from "node:v8";
import type {
  RequestFrame,
  ResponseFrame,
  SessionRequestFrame,
  SessionResponseFrame,
  TaskFrame,
} from "../../src/wire/frames.ts";
import { loadWorkerService } from "../../src/wire/proto.ts";
import { AUTHORIZATION_METADATA_KEY } from "../../src/wire/status.ts";
import {
  decodeWorkerDetails,
  type WorkerDetails,
  type WorkerDetailsMessage,
} from "../../src/wire/worker_details.ts";
import { poolSecret } from "../../src/pool/worker_pool.ts";
import { type ClientTls, tlsChannel } from "../../src/connection/tls_target.ts";
import type { WorkerPool } from "../../mod.ts";
import { makeTaskFrame } from "./task_frame.ts";

/** How one `Dispatch` stream ended: the frames received, then the status. */
export interface DispatchOutcome {
  readonly frames: readonly ResponseFrame[];
  readonly status: grpc.StatusObject;
}

/**
 * A Task frame with the defaults a test does not care about filled in:
 * this protocol version, a fresh id, and `args` serialized (raw bytes in
 * `fields.args` win).
 */
export function taskFrame(
  fields: Partial<TaskFrame> & Pick<TaskFrame, "module" | "export">,
  args: readonly unknown[] = [],
): RequestFrame {
  return {
    frame: "task",
    task: makeTaskFrame({
      id: crypto.randomUUID(),
      args: serialize(args),
      ...fields,
    }),
  };
}

/** A `Dispatch` stream a test writes frame by frame. */
export interface DispatchStream {
  /** Writes one frame. */
  write(frame: RequestFrame): void;
  /** Ends the writing side. */
  end(): void;
  /** The next frame the worker answers, or `undefined` once it ended. */
  next(): Promise<ResponseFrame | undefined>;
  /** The stream's status, once it came. */
  readonly status: Promise<grpc.StatusObject>;
}

/** How one `Session` stream ended: the frames received, then the status. */
export interface SessionOutcome {
  readonly frames: readonly SessionResponseFrame[];
  readonly status: grpc.StatusObject;
}

/** Options of {@linkcode RawWorkerClient.connect}. */
export interface RawClientOptions {
  /**
   * The `authorization` value every call carries (`Bearer <token>`), or
   * `undefined` for none.
   */
  readonly authorization?: string;
  /** Dial over TLS, trusting `tls.ca` (and presenting `tls.cert`). */
  readonly tls?: ClientTls & { readonly serverName?: string };
  /**
   * Unary calls wait (up to 30 s) until the worker keeps a connection,
   * redialing every 10–100 ms: for a worker that may still be closing
   * connections that count against its limit.
   */
  readonly waitForReady?: boolean;
}

/** One grpc-js client (one HTTP/2 connection) to one worker. */
export class RawWorkerClient implements Disposable {
  readonly #client: grpc.Client;
  readonly #service: grpc.ServiceDefinition;
  readonly #authorization: string | undefined;
  readonly #waitForReady: boolean;

  private constructor(
    client: grpc.Client,
    service: grpc.ServiceDefinition,
    options: RawClientOptions,
  ) {
    this.#client = client;
    this.#service = service;
    this.#authorization = options.authorization;
    this.#waitForReady = options.waitForReady ?? false;
  }

  /**
   * Connects (lazily) to the worker at `address` (`unix:<path>` or
   * `host:port`), presenting `options.authorization` on every call.
   */
  static async connect(
    address: string,
    options: RawClientOptions = {},
  ): Promise<RawWorkerClient> {
    const service = await loadWorkerService();
    const { tls } = options;
    const channel = tls === undefined
      ? { credentials: grpc.credentials.createInsecure(), options: {} }
      : tlsChannel(address, tls, tls.serverName);
    const client = new grpc.Client(address, channel.credentials, {
      ...channel.options,
      "grpc.use_local_subchannel_pool": 1,
      ...(options.waitForReady
        ? {
          "grpc.initial_reconnect_backoff_ms": 10,
          "grpc.max_reconnect_backoff_ms": 100,
        }
        : {}),
    });
    return new RawWorkerClient(client, service, options);
  }

  /** Connects to a worker of `pool` with the pool's own secret. */
  static ofPool(
    pool: WorkerPool,
    worker = pool.workers[0],
  ): Promise<RawWorkerClient> {
    return RawWorkerClient.connect(worker.address, {
      authorization: `Bearer ${poolSecret(pool)}`,
    });
  }

  /** The metadata each call sends: the credential, if any. */
  metadata(): grpc.Metadata {
    // grpc-js reads wait-for-ready from the metadata's options.
    const metadata = new grpc.Metadata({ waitForReady: this.#waitForReady });
    if (this.#authorization !== undefined) {
      metadata.set(AUTHORIZATION_METADATA_KEY, this.#authorization);
    }
    return metadata;
  }

  /**
   * Opens a `Dispatch` stream, writes `frames`, ends the writing side, and
   * resolves with what the worker answered, once the stream's status came.
   */
  async dispatch(frames: readonly RequestFrame[]): Promise<DispatchOutcome> {
    const stream = this.stream();
    for (const frame of frames) stream.write(frame);
    stream.end();
    const received: ResponseFrame[] = [];
    for (let frame = await stream.next(); frame; frame = await stream.next()) {
      received.push(frame);
    }
    return { frames: received, status: await stream.status };
  }

  /**
   * Opens a `Dispatch` stream that the test writes frame by frame, reading
   * each answer in turn (a generator's steps, one after its Ack).
   */
  stream(): DispatchStream {
    const method = this.#service.Dispatch as grpc.MethodDefinition<
      RequestFrame,
      ResponseFrame
    >;
    const call = this.#client.makeBidiStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      this.metadata(),
    );
    const received: (ResponseFrame | undefined)[] = [];
    let waiting: ((frame: ResponseFrame | undefined) => void) | undefined;
    const deliver = (frame: ResponseFrame | undefined) => {
      if (waiting === undefined) received.push(frame);
      else {
        waiting(frame);
        waiting = undefined;
      }
    };
    call.on("data", (frame: ResponseFrame) => deliver(frame));
    const status = new Promise<grpc.StatusObject>((resolve) =>
      call.on("status", (status: grpc.StatusObject) => {
        deliver(undefined);
        resolve(status);
      })
    );
    // The status event carries the same failure.
    call.on("error", () => {});
    return {
      write: (frame) => void call.write(frame),
      end: () => void call.end(),
      next: () =>
        received.length > 0
          ? Promise.resolve(received.shift())
          : new Promise((resolve) => waiting = resolve),
      status,
    };
  }

  /**
   * Opens a `Session` stream, writes `frames` as one batch, ends the
   * writing side once `until` says the answers are in (at once without
   * it), and resolves with every frame answered and the stream's status.
   */
  session(
    frames: readonly SessionRequestFrame[],
    until: (answers: readonly SessionResponseFrame[]) => boolean = () => true,
  ): Promise<SessionOutcome> {
    const method = this.#service.Session as grpc.MethodDefinition<
      { frames: readonly SessionRequestFrame[] },
      { frames?: SessionResponseFrame[] }
    >;
    const call = this.#client.makeBidiStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      this.metadata(),
    );
    const received: SessionResponseFrame[] = [];
    let ended = false;
    const end = () => {
      if (ended || !until(received)) return;
      ended = true;
      call.end();
    };
    const outcome = new Promise<SessionOutcome>((resolve) => {
      call.on("data", (message: { frames?: SessionResponseFrame[] }) => {
        received.push(...message.frames ?? []);
        end();
      });
      call.on(
        "status",
        (status: grpc.StatusObject) => resolve({ frames: received, status }),
      );
      call.on("error", () => {});
    });
    call.write({ frames });
    end();
    return outcome;
  }

  /** Calls `Idle`: seconds since the worker's docket last emptied. */
  async idle(): Promise<number> {
    return (await this.#idle()).seconds ?? 0;
  }

  /** Calls `Idle`: the worker's resident set size in bytes (0 when absent). */
  async rssBytes(): Promise<number> {
    return (await this.#idle()).rssBytes ?? 0;
  }

  /** Calls `Info`: what the worker says of itself. */
  async info(): Promise<WorkerDetails> {
    return decodeWorkerDetails(
      await this.#unary<Partial<WorkerDetailsMessage> | undefined>("Info", {}),
    );
  }

  /** Calls `Stop`, which stops the worker once answered. */
  stop(graceMs = 0): Promise<void> {
    return this.#unary("Stop", { graceMs }).then(() => {});
  }

  /** Closes the client and its connection. */
  close(): void {
    this.#client.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #idle(): Promise<{ seconds?: number; rssBytes?: number }> {
    return this.#unary<{ seconds?: number; rssBytes?: number } | undefined>(
      "Idle",
      {},
    ).then((reply) => reply ?? {});
  }

  #unary<R>(method: "Idle" | "Info" | "Stop", request: unknown): Promise<R> {
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
        this.metadata(),
        this.#waitForReady ? { deadline: Date.now() + 30_000 } : {},
        (error, reply) => error ? reject(error) : resolve(reply as R),
      );
    });
  }
}

/** The grpc status codes, by name. */
export const GrpcStatus = grpc.status;

/**
 * A plain grpc-js client of `worker`, whose every call presents `pool`'s
 * secret (added by a client interceptor), for tests that drive the
 * service's methods themselves.
 */
export function poolClient(
  pool: WorkerPool,
  worker = pool.workers[0],
  options: grpc.ChannelOptions = {},
): grpc.Client {
  const authorization = `Bearer ${poolSecret(pool)}`;
  return new grpc.Client(worker.address, grpc.credentials.createInsecure(), {
    ...options,
    interceptors: [
      (callOptions: grpc.InterceptorOptions, next: grpc.NextCall) =>
        new grpc.InterceptingCall(next(callOptions), {
          start(metadata, listener, start) {
            metadata.set(AUTHORIZATION_METADATA_KEY, authorization);
            start(metadata, listener);
          },
        }),
    ],
  });
}
