/**
 * What a task session is given: the worker's parts it works with, and the
 * way back to its caller. Each transport implements a
 * {@linkcode TaskResponder} over its own stream: `Dispatch` over a gRPC
 * stream per task (`worker_service.ts`), `Session` as per-task frames on a
 * shared stream (`session_stream.ts`).
 *
 * @module
 */
import type { ResponseFrame, StatusFrame } from "../wire/frames.ts";
import type { AdmissionGate } from "./admission_gate.ts";
import type { Docket } from "./docket.ts";
import type { RoutineLoader } from "./routine_loader.ts";

/** The parts of a worker a task session works with. */
export interface TaskSessionDeps {
  readonly loader: RoutineLoader;
  readonly gate: AdmissionGate;
  readonly docket: Docket;
  /** Largest value or error payload, in bytes, the worker sends. */
  readonly maxMessageBytes: number;
}

/** One task's way back to its caller. */
export interface TaskResponder {
  /** Sends one response frame. */
  send(frame: ResponseFrame): void;
  /** Ends the task with status OK. */
  end(): void;
  /** Ends the task with an error status. */
  fail(status: StatusFrame): void;
  /**
   * True once the caller finished sending (a `Dispatch` stream's
   * half-close): a generator then cannot be pulled. A `Session` has none.
   */
  callerDone?(): boolean;
}
