/**
 * A raw grpc-js client of a worker's `wool.v1.Worker` service, for tests
 * that speak the wire protocol directly (protocol checks, `Idle`,
 * connection churn), bypassing the pool.
 *
 * @module
 */
import { grpc } from "../../src/wire/grpc.ts";
import { serialize } from "node:v8";
import type {
  RequestFrame,
  ResponseFrame,
  SessionRequestFrame,
  SessionRequests,
  SessionResponseFrame,
  SessionResponses,
  TaskFrame,
} from "../../src/wire/frames.ts";
import { PROTOCOL_VERSION } from "../../src/wire/protocol_version.ts";
import { loadWorkerService } from "../../src/wire/proto.ts";

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
    task: {
      protocolVersion: PROTOCOL_VERSION,
      id: crypto.randomUUID(),
      args: serialize(args),
      tag: "",
      caller: "",
      timeoutMs: 0,
      ...fields,
    },
  };
}

/** One grpc-js client (one HTTP/2 connection) to one worker. */
export class RawWorkerClient implements Disposable {
  readonly #client: grpc.Client;
  readonly #service: grpc.ServiceDefinition;

  private constructor(client: grpc.Client, service: grpc.ServiceDefinition) {
    this.#client = client;
    this.#service = service;
  }

  /** Connects (lazily) to the worker at `address` (`host:port`). */
  static async connect(address: string): Promise<RawWorkerClient> {
    const service = await loadWorkerService();
    const client = new grpc.Client(
      address,
      grpc.credentials.createInsecure(),
      { "grpc.use_local_subchannel_pool": 1 },
    );
    return new RawWorkerClient(client, service);
  }

  /**
   * Opens a `Dispatch` stream, writes `frames`, ends the writing side, and
   * resolves with what the worker answered, once the stream's status came.
   */
  dispatch(frames: readonly RequestFrame[]): Promise<DispatchOutcome> {
    const method = this.#service.Dispatch as grpc.MethodDefinition<
      RequestFrame,
      ResponseFrame
    >;
    const call = this.#client.makeBidiStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
    );
    const received: ResponseFrame[] = [];
    const outcome = new Promise<DispatchOutcome>((resolve) => {
      call.on("data", (frame: ResponseFrame) => received.push(frame));
      call.on(
        "status",
        (status: grpc.StatusObject) => resolve({ frames: received, status }),
      );
      // The status event carries the same failure.
      call.on("error", () => {});
    });
    for (const frame of frames) call.write(frame);
    call.end();
    return outcome;
  }

  /**
   * Opens a `Session` stream, writes `frames` as one batch, collects the
   * frames the worker answers until `done(received)` is true, then ends the
   * stream and resolves with them.
   */
  session(
    frames: readonly SessionRequestFrame[],
    done: (received: readonly SessionResponseFrame[]) => boolean,
  ): Promise<SessionResponseFrame[]> {
    const method = this.#service.Session as grpc.MethodDefinition<
      SessionRequests,
      SessionResponses
    >;
    const call = this.#client.makeBidiStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
    );
    const received: SessionResponseFrame[] = [];
    const answered = new Promise<SessionResponseFrame[]>((resolve, reject) => {
      call.on("data", (message: SessionResponses) => {
        received.push(...message.frames);
        if (done(received)) resolve(received);
      });
      call.on("status", (status: grpc.StatusObject) => {
        reject(new Error(`The Session ended first: ${status.details}`));
      });
      // The status event carries the same failure.
      call.on("error", () => {});
    });
    const ended = new Promise((resolve) => call.on("status", resolve));
    call.write({ frames: [...frames] });
    return answered.finally(async () => {
      call.end();
      await ended;
    });
  }

  /** Calls `Idle`: seconds since the worker's docket last emptied. */
  async idle(): Promise<number> {
    return (await this.#idle()).seconds ?? 0;
  }

  /** Calls `Idle`: the worker's resident set size in bytes (0 when absent). */
  async rssBytes(): Promise<number> {
    return (await this.#idle()).rssBytes ?? 0;
  }

  /** Closes the client and its connection. */
  close(): void {
    this.#client.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #idle(): Promise<{ seconds?: number; rssBytes?: number }> {
    const method = this.#service.Idle as grpc.MethodDefinition<
      Record<never, never>,
      { seconds?: number; rssBytes?: number }
    >;
    return new Promise((resolve, reject) => {
      this.#client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        {},
        (error, reply) => error ? reject(error) : resolve(reply ?? {}),
      );
    });
  }
}

/** The grpc status codes, by name. */
export const GrpcStatus = grpc.status;
