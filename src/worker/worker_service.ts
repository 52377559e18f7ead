/**
 * The gRPC handlers of a worker: `Dispatch` (one task per stream),
 * `Session` (many tasks per stream), `Stop`, `Idle` and `Info`. Wiring
 * only: each task's logic is in {@linkcode TaskSession}.
 *
 * @module
 */
import type { grpc } from "../wire/grpc.ts";
import type { NormalizedHook } from "../backpressure/hook_object.ts";
import type { BackpressureHook } from "../backpressure/types.ts";
import {
  FRAME_OVERHEAD_BYTES,
  type RequestFrame,
  type ResponseFrame,
  type SessionRequests,
  type SessionResponses,
} from "../wire/frames.ts";
import { PROTOCOL_VERSION } from "../wire/protocol_version.ts";
import { toGrpcStatus } from "../wire/status.ts";
import {
  encodeWorkerDetails,
  type WorkerDetailsMessage,
} from "../wire/worker_details.ts";
import { AdmissionGate } from "./admission_gate.ts";
import { Docket } from "./docket.ts";
import { RoutineLoader } from "./routine_loader.ts";
import { serveSession } from "./session_stream.ts";
import type { TaskSessionDeps } from "./task_ports.ts";
import { TaskSession } from "./task_session.ts";
import { telemetryLoading } from "./worker_telemetry.ts";

/** The `IdleTime` answer: idle seconds, and the process's resident set. */
interface IdleReply {
  seconds: number;
  rssBytes: number;
}

/** What a worker tells of itself in `Info`, beside what the service knows. */
export interface WorkerProfile {
  /** Its id (see `WorkerDetails.id`). */
  readonly id: string;
  /** Where pools reach it. */
  readonly address: string;
  /** Its tags. */
  readonly tags: readonly string[];
  /** How many tasks it runs at once, when it says. */
  readonly capacity?: number;
}

/** What a worker service is built from. */
export interface WorkerServiceOptions {
  /** The loaded backpressure hook, or `null` to accept every task. */
  readonly hook: NormalizedHook | BackpressureHook | null;
  /** Milliseconds a hook gets to answer before it counts as a rejection. */
  readonly backpressureTimeoutMs: number;
  /** Largest value or error payload, in bytes, the worker sends. */
  readonly maxMessageBytes: number;
  /**
   * Tasks open at once on one `Session` stream; a task beyond it is
   * refused with `RESOURCE_EXHAUSTED`.
   */
  readonly maxTasksPerSession: number;
  /** Called once a `Stop` RPC has been answered. */
  readonly onStopped?: () => void;
  /** What `Info` tells of the worker, read at each call. */
  readonly profile: () => WorkerProfile;
}

/** A worker's task service: its docket, admission gate and handlers. */
export class WorkerService {
  readonly docket: Docket = new Docket();
  readonly #gate: AdmissionGate;
  readonly #deps: TaskSessionDeps;
  readonly #onStopped: () => void;
  readonly #maxBatchBytes: number;
  readonly #maxTasksPerSession: number;
  readonly #profile: () => WorkerProfile;
  #stopping: Promise<void> | undefined;

  constructor(options: WorkerServiceOptions) {
    this.#gate = new AdmissionGate({
      hook: options.hook,
      timeoutMs: options.backpressureTimeoutMs,
      docket: this.docket,
    });
    this.#deps = {
      loader: new RoutineLoader(),
      gate: this.#gate,
      docket: this.docket,
      maxMessageBytes: options.maxMessageBytes,
    };
    this.#onStopped = options.onStopped ?? (() => {});
    // OpenTelemetry in use before the first task (`OTEL_DENO=true`, a
    // preloaded SDK, or one the hook's module registered): load the
    // recording code now rather than make the first task wait for it.
    void telemetryLoading();
    this.#maxBatchBytes = options.maxMessageBytes + FRAME_OVERHEAD_BYTES;
    this.#maxTasksPerSession = options.maxTasksPerSession;
    this.#profile = options.profile;
  }

  /** Whether {@linkcode WorkerService.stop} has begun: no task is admitted. */
  get draining(): boolean {
    return this.#stopping !== undefined;
  }

  /** The handlers to add to a `grpc.Server` for the `Worker` service. */
  handlers(): grpc.UntypedServiceImplementation {
    return {
      Dispatch: (call: grpc.ServerDuplexStream<RequestFrame, ResponseFrame>) =>
        this.#dispatch(call),
      Session: (
        call: grpc.ServerDuplexStream<SessionRequests, SessionResponses>,
      ) =>
        serveSession(call, this.#deps, {
          maxBatchBytes: this.#maxBatchBytes,
          maxTasks: this.#maxTasksPerSession,
        }),
      Stop: (
        call: grpc.ServerUnaryCall<{ graceMs?: number }, Record<never, never>>,
        callback: grpc.sendUnaryData<Record<never, never>>,
      ) => {
        this.stop(call.request.graceMs ?? 0).then(() => {
          callback(null, {});
          this.#onStopped();
        });
      },
      Idle: (
        _call: grpc.ServerUnaryCall<unknown, IdleReply>,
        callback: grpc.sendUnaryData<IdleReply>,
      ) =>
        callback(null, {
          seconds: this.docket.idleSeconds(),
          rssBytes: Deno.memoryUsage().rss,
        }),
      Info: (
        _call: grpc.ServerUnaryCall<unknown, WorkerDetailsMessage>,
        callback: grpc.sendUnaryData<WorkerDetailsMessage>,
      ) => {
        const profile = this.#profile();
        callback(
          null,
          encodeWorkerDetails({
            ...profile,
            protocolVersion: PROTOCOL_VERSION,
            pid: Deno.pid,
            draining: this.draining,
          }),
        );
      },
    };
  }

  /**
   * Stops admitting tasks, gives those in flight `graceMs` to finish, then
   * cancels the rest. Resolves when the docket is empty or the rest were
   * cancelled.
   */
  stop(graceMs: number): Promise<void> {
    this.#stopping ??= this.#stop(graceMs);
    return this.#stopping;
  }

  async #stop(graceMs: number): Promise<void> {
    this.#gate.stop();
    const grace = AbortSignal.timeout(Math.max(0, graceMs));
    await this.docket.drained(grace);
    if (this.docket.size > 0) {
      this.docket.cancelAll(
        new DOMException(
          `The worker stopped; the task did not finish within ${graceMs} ms`,
          "AbortError",
        ),
      );
    }
  }

  #dispatch(call: grpc.ServerDuplexStream<RequestFrame, ResponseFrame>): void {
    let callerDone = false;
    const session = new TaskSession(this.#deps, {
      send: (frame) => call.write(frame),
      end: () => call.end(),
      fail: (status) => call.emit("error", toGrpcStatus(status)),
      callerDone: () => callerDone,
    });
    call.on("data", (frame: RequestFrame) => session.receive(frame));
    call.on("end", () => {
      callerDone = true;
      session.clientEnded();
    });
    call.on("cancelled", () => session.callerCancelled());
    call.on("error", () => session.callerCancelled());
  }
}
