/**
 * One task's conversation with its caller, the same over either transport
 * (`Dispatch`: a stream per task; `Session`: many tasks on one stream).
 *
 * ```
 * responses := Ack (Result* (Exception | Done)?) | Nack | <status>
 * ```
 *
 * | phase    | on                       | does                                                     |
 * | -------- | ------------------------ | -------------------------------------------------------- |
 * | parse    | first frame              | not a Task → INVALID_ARGUMENT; other protocol version →  |
 * |          |                          | FAILED_PRECONDITION; unknown routine or bad args → Nack  |
 * | admit    | parsed task              | hook rejects → RESOURCE_EXHAUSTED (`wool-rejected`), no  |
 * |          |                          | Ack; accepted → in the docket, Ack                       |
 * | run      | coroutine                | Result or Exception, then end                            |
 * | stream   | generator, per frame     | Next/Send/Throw/Return drive one step: Result, or Done / |
 * |          |                          | Exception and end                                        |
 * | teardown | end, cancel, stop        | abort the task's signal, close a generator, leave the    |
 * |          |                          | docket when the routine has actually ended               |
 *
 * @module
 */
import type { Task } from "../backpressure/types.ts";
import { encodeError } from "../wire/errors.ts";
import {
  type RequestFrame,
  type ResponseFrame,
  responseFrame,
  type StatusFrame,
  type TaskFrame,
} from "../wire/frames.ts";
import { MessageTooLarge } from "../wire/message_too_large.ts";
import {
  PROTOCOL_VERSION,
  protocolMismatchMessage,
} from "../wire/protocol_version.ts";
import { encodeRejection, Status } from "../wire/status.ts";
import { decodeArgs, encodeValue } from "../wire/values.ts";
import type { AdmissionGate } from "./admission_gate.ts";
import type { Docket, DocketEntry } from "./docket.ts";
import type { Routine, RoutineLoader } from "./routine_loader.ts";
import { advance, isStepper, type Stepper } from "./routine_driver.ts";
import { runInTaskContext, type TaskContext } from "../task/task_context.ts";

/** Where a task session writes its answers: one transport's stream. */
export interface TaskResponder {
  /** Sends one response frame. */
  send(frame: ResponseFrame): void;
  /** Ends the task with status OK. */
  end(): void;
  /** Ends the task with an error status. */
  fail(status: StatusFrame): void;
}

/** The parts of a worker a task session works with. */
export interface TaskSessionDeps {
  readonly loader: RoutineLoader;
  readonly gate: AdmissionGate;
  readonly docket: Docket;
  /** Largest value or error payload, in bytes, the worker sends. */
  readonly maxMessageBytes: number;
}

type Phase = "parse" | "admit" | "run" | "stream" | "closed";

/** Drives one task from its Task frame to its end. */
export class TaskSession implements DocketEntry {
  readonly #deps: TaskSessionDeps;
  readonly #responder: TaskResponder;
  readonly #controller = new AbortController();
  #phase: Phase = "parse";
  #id = "";
  #exportName = "";
  #context: TaskContext | undefined;
  #generator: Stepper | undefined;
  #steps: Promise<void> = Promise.resolve();
  #inDocket = false;
  #finished = false;
  /** True once the first frame is being parsed: a second one is out of turn. */
  #parsing = false;
  /** True once the caller ended its side of the stream (`Dispatch` only). */
  #clientEnded = false;

  constructor(deps: TaskSessionDeps, responder: TaskResponder) {
    this.#deps = deps;
    this.#responder = responder;
  }

  /** The task's id, once its Task frame was read. */
  get id(): string {
    return this.#id;
  }

  /** Handles one frame from the caller. */
  receive(frame: RequestFrame): void {
    if (this.#phase === "parse" && !this.#parsing) {
      this.#parsing = true;
      this.#start(frame).catch((error) => this.#internalError(error));
      return;
    }
    if (this.#phase === "stream") {
      this.#steps = this.#steps.then(() => this.#step(frame));
      return;
    }
    if (this.#phase === "closed") return;
    this.#close({
      code: Status.INVALID_ARGUMENT,
      details:
        `Unexpected "${frame.frame}" frame while the task is in its ${this.#phase} phase`,
      metadata: {},
    });
  }

  /** The caller went away or cancelled: abort the task, answer nothing. */
  callerCancelled(): void {
    this.#phase = "closed";
    this.#finished = true;
    this.#abort(cancelledByCaller());
  }

  /**
   * The caller finished sending: a generator will not be pulled again, so
   * once the steps already asked for are answered it is closed and the
   * conversation ends, rather than leaving the caller waiting.
   */
  clientEnded(): void {
    this.#clientEnded = true;
    if (this.#phase === "stream") this.#noMorePulls();
  }

  /**
   * The worker cancels the task (it is stopping): abort it, and end the
   * conversation with `CANCELLED` so the caller is not left waiting.
   */
  cancel(reason: unknown): void {
    this.#close({
      code: Status.CANCELLED,
      details: `The worker cancelled the task: ${
        reason instanceof Error ? reason.message : String(reason)
      }`,
      metadata: {},
    });
    this.#abort(reason);
  }

  async #start(frame: RequestFrame): Promise<void> {
    if (frame.frame !== "task") {
      this.#close({
        code: Status.INVALID_ARGUMENT,
        details:
          `The first frame of a task must be a Task frame, received "${frame.frame}"`,
        metadata: {},
      });
      return;
    }
    const taskFrame = frame.task;
    if (taskFrame.protocolVersion !== PROTOCOL_VERSION) {
      this.#close({
        code: Status.FAILED_PRECONDITION,
        details: protocolMismatchMessage(taskFrame.protocolVersion ?? 0),
        metadata: {},
      });
      return;
    }
    this.#id = taskFrame.id ?? "";
    this.#exportName = taskFrame.export ?? "";
    let routine: Routine;
    let task: Task;
    try {
      const loaded = this.#deps.loader.load(
        taskFrame.module ?? "",
        this.#exportName,
      );
      routine = loaded instanceof Promise ? await loaded : loaded;
      task = toTask(taskFrame, decodeTaskArgs(taskFrame));
    } catch (error) {
      this.#sendFinal(
        responseFrame("nack", { error: this.#errorBytes(error) }),
      );
      return;
    }
    if (this.#finished) return;
    this.#phase = "admit";
    const pending = this.#deps.gate.admit(task, this);
    const admission = pending instanceof Promise ? await pending : pending;
    if (!admission.accepted) {
      if (this.#finished) return;
      this.#close(encodeRejection(admission));
      return;
    }
    this.#inDocket = true;
    if (this.#finished) {
      this.#leaveDocket();
      return;
    }
    this.#run(routine, task.args);
  }

  #run(routine: Routine, args: readonly unknown[]): void {
    this.#context = { id: this.#id, signal: this.#controller.signal };
    let returned: unknown;
    try {
      returned = runInTaskContext(this.#context, () => routine(...args));
    } catch (error) {
      this.#phase = "run";
      this.#send(responseFrame("ack", { generator: false }));
      this.#settle(Promise.reject(error));
      return;
    }
    if (isStepper(returned)) {
      this.#phase = "stream";
      this.#generator = returned;
      this.#send(responseFrame("ack", { generator: true }));
      if (this.#clientEnded) this.#noMorePulls();
      return;
    }
    this.#phase = "run";
    this.#send(responseFrame("ack", { generator: false }));
    this.#settle(Promise.resolve(returned));
  }

  #settle(outcome: Promise<unknown>): void {
    outcome.then(
      (value) => this.#sendFinal(this.#valueFrame("result", value)),
      (error) => this.#sendFinal(this.#exceptionFrame(error)),
    ).finally(() => this.#leaveDocket());
  }

  async #step(frame: RequestFrame): Promise<void> {
    const generator = this.#generator!;
    if (this.#phase !== "stream") return;
    let step: IteratorResult<unknown, unknown>;
    try {
      step = await runInTaskContext(
        this.#context!,
        () => advance(generator, frame),
      );
    } catch (error) {
      this.#sendFinal(this.#exceptionFrame(error));
      // The frame may have failed before the generator ran (a sent value
      // that cannot be decoded): close it, so its `finally` blocks run.
      await this.#closeGenerator();
      return;
    }
    if (this.#phase !== "stream") return;
    if (step.done) {
      this.#sendFinal(this.#valueFrame("done", step.value));
      this.#leaveDocket();
      return;
    }
    const frameOut = this.#valueFrame("result", step.value);
    if (frameOut.frame === "exception") {
      this.#sendFinal(frameOut);
      await this.#closeGenerator();
      return;
    }
    this.#send(frameOut);
  }

  /**
   * The Exception frame for what the routine threw (or a Nack's error). An error over
   * `maxMessageBytes` (a huge message or property) is replaced by a
   * `MessageTooLarge`, as an oversized result is: sent as it is, it would
   * break the stream, and on a Session every other task on it.
   */
  #exceptionFrame(error: unknown): ResponseFrame {
    return responseFrame("exception", { error: this.#errorBytes(error) });
  }

  /** `error` encoded, or a `MessageTooLarge` in its place when it is over the limit. */
  #errorBytes(error: unknown): Uint8Array {
    const bytes = encodeError(error);
    if (bytes.length <= this.#deps.maxMessageBytes) return bytes;
    return encodeError(
      new MessageTooLarge(
        `error of "${this.#exportName}"`,
        bytes.length,
        this.#deps.maxMessageBytes,
      ),
    );
  }

  #noMorePulls(): void {
    this.#steps = this.#steps.then(() => {
      if (this.#phase !== "stream") return;
      // Status OK, not an error: grpc-js drops the messages its caller has
      // not read yet when a stream ends in error, and these are answers to
      // pulls the caller sent.
      this.#finished = true;
      this.#responder.end();
      this.#abort(callerEnded());
    });
  }

  #valueFrame(kind: "result" | "done", value: unknown): ResponseFrame {
    let bytes: Uint8Array;
    try {
      bytes = encodeValue(
        value,
        `${
          kind === "done" ? "return value" : "result"
        } of "${this.#exportName}"`,
      );
    } catch (error) {
      return responseFrame("exception", { error: encodeError(error) });
    }
    if (bytes.length > this.#deps.maxMessageBytes) {
      const tooLarge = new MessageTooLarge(
        `result of "${this.#exportName}"`,
        bytes.length,
        this.#deps.maxMessageBytes,
      );
      return responseFrame("exception", { error: encodeError(tooLarge) });
    }
    return kind === "done"
      ? responseFrame("done", { value: bytes })
      : responseFrame("result", { value: bytes });
  }

  #abort(reason: unknown): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
    if (this.#generator) {
      void this.#closeGenerator();
    }
  }

  async #closeGenerator(): Promise<void> {
    const generator = this.#generator;
    this.#generator = undefined;
    this.#phase = "closed";
    if (generator?.return) {
      try {
        await runInTaskContext(this.#context!, () => generator.return!());
      } catch {
        // The caller has gone; a generator that throws while closing has no
        // one left to tell.
      }
    }
    this.#leaveDocket();
  }

  #leaveDocket(): void {
    if (!this.#inDocket) return;
    this.#inDocket = false;
    this.#deps.docket.remove(this);
  }

  #send(frame: ResponseFrame): void {
    if (this.#finished) return;
    this.#responder.send(frame);
  }

  #sendFinal(frame: ResponseFrame): void {
    if (this.#finished) return;
    this.#phase = "closed";
    this.#finished = true;
    this.#responder.send(frame);
    this.#responder.end();
  }

  #close(status: StatusFrame): void {
    if (this.#finished) return;
    this.#phase = "closed";
    this.#finished = true;
    this.#responder.fail(status);
  }

  #internalError(error: unknown): void {
    this.#close({
      code: Status.INTERNAL,
      details: `The worker failed while handling the task: ${
        error instanceof Error ? error.message : String(error)
      }`,
      metadata: {},
    });
    this.#abort(error);
    this.#leaveDocket();
  }
}

/** The task's arguments; undecodable ones are a `TypeError` naming the task. */
function decodeTaskArgs(frame: TaskFrame): unknown[] {
  try {
    return decodeArgs(frame.args ?? new Uint8Array());
  } catch (error) {
    throw new TypeError(
      `Cannot run "${frame.export ?? ""}" from "${frame.module ?? ""}": ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
}

function toTask(frame: TaskFrame, args: unknown[]): Task {
  return {
    id: frame.id ?? "",
    module: frame.module ?? "",
    export: frame.export ?? "",
    args,
    ...(frame.tag ? { tag: frame.tag } : {}),
    ...(frame.caller ? { caller: frame.caller } : {}),
    ...(frame.timeoutMs ? { timeoutMs: frame.timeoutMs } : {}),
  };
}

function cancelledByCaller(): DOMException {
  return new DOMException("The caller cancelled the task", "AbortError");
}

function callerEnded(): DOMException {
  return new DOMException(
    "The caller ended its side of the stream, so the generator cannot be pulled again",
    "AbortError",
  );
}
