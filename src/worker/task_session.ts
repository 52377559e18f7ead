/**
 * One task's conversation with its caller, the same over either transport
 * (`Dispatch`: a stream per task; `Session`: many tasks on one stream).
 *
 * ```
 * responses := Ack (Result* (Exception | Done)?) | Nack | <status>
 * ```
 *
 * A session is in one {@linkcode State} at a time, changed only by `#move`,
 * which takes only the moves of this table. Once `closed`, nothing moves
 * and nothing is sent: a late outcome of work the caller gave up on is
 * dropped.
 *
 * | state       | on                                         | does                                                                                                           | then                   |
 * | ----------- | ------------------------------------------ | -------------------------------------------------------------------------------------------------------------- | ---------------------- |
 * | `waiting`   | the caller ending its side                 | no Task frame came: INVALID_ARGUMENT                                                                           | `closed`               |
 * | `waiting`   | the first frame                            | reads it: not a Task: INVALID_ARGUMENT; other protocol version: FAILED_PRECONDITION; bad args: Nack            | `closed`               |
 * |             |                                            | otherwise asks the hook (no code of the task's module has run)                                                 | `admitting`            |
 * | `admitting` | the hook's answer                          | rejected: RESOURCE_EXHAUSTED `wool-rejected` (UNAVAILABLE when stopping), no Ack; the module is never imported | `closed`               |
 * |             |                                            | accepted: in the docket; imports the routine's module (at once when it was imported before)                    | `loading`              |
 * | `loading`   | the routine loaded                         | calls it, Ack                                                                                                  | `running`, `streaming` |
 * |             | no routine (cannot import, no such export) | Nack, leaves the docket                                                                                        | `closed`               |
 * | `running`   | the coroutine settling                     | Result or Exception, end                                                                                       | `closed`               |
 * | `streaming` | Next, Send, Throw, Return                  | one step of the generator: Result; or Done or Exception, end                                                   | `streaming`, `closed`  |
 * | `streaming` | the caller ending its side                 | closes the generator, ends with OK                                                                             | `closed`               |
 * | other       | any frame                                  | out of turn: INVALID_ARGUMENT; aborts the task's signal, naming it                                             | `closed`               |
 * | any         | the caller cancelling                      | aborts the task's signal, answers nothing more                                                                 | `closed`               |
 * | any         | the worker stopping                        | aborts the task's signal, CANCELLED                                                                            | `closed`               |
 *
 * A CallReply frame (the caller's answer to a nested call the task made
 * through `currentPool()`) is never out of turn once the Task frame was
 * read: it goes to the task's `RunningTask`, which routes it by the call's id,
 * whatever the state, and is dropped once the session is closed — the
 * task's open calls end when it closes.
 *
 * The hook decides before the task's module is imported for the first
 * time, so a rejected task runs none of its module's code, not even its
 * top-level code. Reading the Task frame and decoding its arguments (which
 * the hook sees) run no task code.
 *
 * The task leaves the docket when its routine has actually ended — a
 * coroutine settled, a generator finished or closed — which may be after
 * the conversation closed. Then the gate tells a learning hook how it
 * ended, from the last frame sent: a Result of a coroutine or Done is
 * `"ok"`; an Exception or a Nack is `"error"`; no final frame (the caller
 * cancelled, went away or stopped pulling, the worker stopped) is
 * `"cancelled"`.
 *
 * @module
 */
import { describeErrorMessage } from "../_util/describe.ts";
import type { Task } from "../backpressure/types.ts";
import type { TaskOutcome } from "../backpressure/hook_object.ts";
import {
  NOOP_TASK_TELEMETRY,
  type TaskTelemetry,
} from "../telemetry/task_telemetry_types.ts";
import { ResponseEncoder } from "../wire/frame_codec.ts";
import type {
  RequestFrame,
  ResponseFrame,
  StatusFrame,
} from "../wire/frames.ts";
import {
  encodeRejection,
  isTerminal,
  Status,
  statusFrame,
  statusName,
} from "../wire/status.ts";
import type { DocketEntry } from "./docket.ts";
import type { Routine } from "./routine_loader.ts";
import { callRoutine, GeneratorRun, isStepper } from "./routine_driver.ts";
import { type CallPort, RunningTask } from "./running_task.ts";
import { decodeTask, readFirstFrame } from "./task_frame.ts";
import { canMove, type State, type Streaming } from "./task_state.ts";
import { callTraced, stepTraced } from "./traced_routine.ts";
import type { TaskResponder, TaskSessionDeps } from "./task_ports.ts";
import { startTaskTelemetry, telemetryLoading } from "./worker_telemetry.ts";
import { contextVars } from "../task/context_var.ts";

/** Drives one task from its Task frame to its end. */
export class TaskSession implements DocketEntry, CallPort {
  readonly #deps: TaskSessionDeps;
  readonly #responder: TaskResponder;
  readonly #controller = new AbortController();
  #state: State = { name: "waiting" };
  #frames: ResponseEncoder;
  /** Where the docket keeps this task (the docket's field). */
  docketSlot = -1;
  /** Steps of a streaming generator, answered one after another. */
  #steps: Promise<void> = Promise.resolve();
  /** What the task reads of itself (`taskSignal()`, `currentPool()`). */
  #running: RunningTask | undefined;
  /** How the task ended, by the last frame sent (see the module doc). */
  #outcome: TaskOutcome = "cancelled";
  /** The routine returned a generator. */
  #generator = false;
  /** The task's span and metrics, once its Task frame is decoded. */
  #telemetry: TaskTelemetry = NOOP_TASK_TELEMETRY;
  /** The error the routine ended with, for its span. */
  #error: unknown;

  constructor(deps: TaskSessionDeps, responder: TaskResponder) {
    this.#deps = deps;
    this.#responder = responder;
    this.#frames = new ResponseEncoder(deps.maxMessageBytes, "");
  }

  /** Handles one frame from the caller. */
  receive(frame: RequestFrame): void {
    const state = this.#state;
    if (state.name === "waiting") {
      this.#start(frame).catch((error) => this.#internalError(error));
    } else if (frame.frame === "callReply") {
      // An answer to a nested call: never out of turn, dropped once the
      // task's conversation has closed (its calls ended with it).
      this.#running?.deliver(frame.callReply);
    } else if (state.name === "streaming") {
      this.#steps = this.#steps.then(() => this.#step(state, frame));
    } else {
      this.#fail(statusFrame(
        Status.INVALID_ARGUMENT,
        `Unexpected "${frame.frame}" frame while the task is ${state.name}`,
      ));
    }
  }

  /** The caller went away or cancelled: abort the task, answer nothing. */
  callerCancelled(): void {
    this.#halt(() =>
      new DOMException("The caller cancelled the task", "AbortError")
    );
  }

  /**
   * The caller finished sending. Before any frame: there is no task, and
   * the stream is answered INVALID_ARGUMENT rather than left open. While a
   * generator streams: it will not be pulled again, so once the steps
   * already asked for are answered it is closed and the conversation ends,
   * rather than leaving the caller waiting.
   */
  clientEnded(): void {
    if (this.#state.name === "waiting") {
      this.#fail(statusFrame(
        Status.INVALID_ARGUMENT,
        "The caller ended the stream before sending a Task frame",
      ));
    } else if (this.#state.name === "streaming") this.#noMorePulls();
  }

  /**
   * The worker cancels the task (it is stopping): abort it, and end the
   * conversation with `CANCELLED` so the caller is not left waiting.
   */
  cancel(reason: unknown): void {
    const details = `The worker cancelled the task: ${
      describeErrorMessage(reason)
    }`;
    this.#halt(() => reason, statusFrame(Status.CANCELLED, details));
  }

  /**
   * The one way the state changes. Returns false, changing nothing, when
   * the session is closed already: the caller gave up while work was in
   * flight, and its late outcome is dropped.
   *
   * @throws {Error} for a move the table does not allow (a bug).
   */
  #move(next: State): boolean {
    const from = this.#state.name;
    if (from === "closed") return false;
    if (!canMove(from, next.name)) {
      throw new Error(
        `A task session cannot move from ${from} to ${next.name}`,
      );
    }
    this.#state = next;
    if (next.name === "closed") this.#running?.ended();
    return true;
  }

  async #start(frame: RequestFrame): Promise<void> {
    const receivedAt = performance.now();
    const first = readFirstFrame(frame);
    if ("refused" in first) return this.#fail(first.refused);
    this.#frames = new ResponseEncoder(
      this.#deps.maxMessageBytes,
      first.task.export ?? "",
    );
    let task: Task;
    try {
      task = decodeTask(first.task);
    } catch (error) {
      return this.#answer(this.#frames.nack(error));
    }
    const recorder = telemetryLoading();
    if (recorder !== undefined) {
      await recorder;
      if (this.#state.name === "closed") return;
    }
    this.#move({ name: "admitting" });
    const telemetry = startTaskTelemetry(first.task, task);
    this.#telemetry = telemetry;
    const pending = this.#deps.gate.admit(task, this, receivedAt, telemetry);
    const admission = pending instanceof Promise ? await pending : pending;
    if (!admission.accepted) {
      telemetry.rejected(admission.cause, admission.message);
      return this.#fail(encodeRejection(admission));
    }
    telemetry.accepted();
    // In the docket now: a caller gone meanwhile takes it out at once.
    if (!this.#move({ name: "loading" })) return this.#leaveDocket();
    let routine: Routine;
    try {
      const loading = this.#deps.loader.load(task.module, task.export);
      routine = loading instanceof Promise ? await loading : loading;
    } catch (error) {
      this.#error = error;
      this.#answer(this.#frames.nack(error));
      return this.#leaveDocket();
    }
    if (this.#state.name === "closed") return this.#leaveDocket();
    this.#run(routine, task, first.task.depth ?? 0);
  }

  #run(routine: Routine, task: Task, depth: number): void {
    // The task's own scope even with no variables: what the task sets
    // never reaches another task.
    const running = new RunningTask(
      task.id,
      this.#controller.signal,
      depth,
      this,
      contextVars(task.context),
    );
    this.#running = running;
    const telemetry = this.#telemetry;
    const returned = telemetry === NOOP_TASK_TELEMETRY
      ? callRoutine(routine, task.args, running)
      : callTraced(telemetry, routine, task.args, running);
    if (isStepper(returned)) {
      this.#generator = true;
      this.#move({
        name: "streaming",
        generator: new GeneratorRun(returned, running),
      });
      this.#answer(this.#frames.ack("generator"));
      running.acked();
      if (this.#responder.callerDone?.()) this.#noMorePulls();
      return;
    }
    this.#move({ name: "running" });
    this.#answer(this.#frames.ack("coroutine"));
    this.#running.acked();
    Promise.resolve(returned).then(
      (value) => this.#answer(this.#frames.value("result", value)),
      (error) => {
        this.#error = error;
        this.#answer(this.#frames.exception(error));
      },
    ).finally(() => this.#leaveDocket());
  }

  /** Largest value or error payload, in bytes, the task's calls carry. */
  get maxMessageBytes(): number {
    return this.#deps.maxMessageBytes;
  }

  /** Sends a Call frame of the task's (for `RunningTask`); none once closed. */
  sendCall(frame: ResponseFrame): void {
    if (this.#state.name !== "closed") this.#responder.send(frame);
  }

  async #step(state: Streaming, frame: RequestFrame): Promise<void> {
    if (this.#state !== state) return;
    let step: IteratorResult<unknown, unknown>;
    try {
      const telemetry = this.#telemetry;
      step = await (telemetry === NOOP_TASK_TELEMETRY
        ? state.generator.step(frame)
        : stepTraced(telemetry, state.generator, frame));
    } catch (error) {
      this.#error = error;
      this.#answer(this.#frames.exception(error));
      // The frame may have failed before the generator ran (a sent value
      // that cannot be decoded): close it, so its `finally` blocks run.
      return await this.#closeGenerator(state);
    }
    if (this.#state !== state) return;
    if (step.done) {
      this.#answer(this.#frames.value("done", step.value));
      return this.#leaveDocket();
    }
    const answer = this.#frames.value("result", step.value);
    this.#answer(answer);
    if (answer.frame === "exception") await this.#closeGenerator(state);
  }

  #noMorePulls(): void {
    this.#steps = this.#steps.then(() => {
      if (this.#state.name !== "streaming") return;
      // Status OK, not an error: grpc-js drops the messages its caller has
      // not read yet when a stream ends in error, and these are answers to
      // pulls the caller sent.
      this.#halt(
        () =>
          new DOMException(
            "The caller ended its side of the stream, so the generator cannot be pulled again",
            "AbortError",
          ),
        "end",
      );
    });
  }

  /**
   * Sends `frame`; a terminal one (see `isTerminal`) closes the session
   * and ends the stream. Nothing is sent once the session is closed.
   */
  #answer(frame: ResponseFrame): void {
    const kind = this.#state.name === "streaming" ? "generator" : "coroutine";
    if (!isTerminal(frame, kind)) {
      if (this.#state.name !== "closed") this.#responder.send(frame);
      return;
    }
    if (!this.#move({ name: "closed", reason: "answered" })) return;
    this.#outcome = frame.frame === "result" || frame.frame === "done"
      ? "ok"
      : "error";
    this.#responder.send(frame);
    this.#responder.end();
  }

  /**
   * Ends the task with an error status, unless it is closed already. A
   * routine still running has nobody to answer to any more: its signal
   * aborts, naming the status.
   */
  #fail(status: StatusFrame): void {
    if (!this.#move({ name: "closed", reason: "failed" })) return;
    this.#abort(() =>
      new DOMException(
        `The worker ended the task's stream with ${
          statusName(status.code)
        }: ${status.details}`,
        "AbortError",
      )
    );
    this.#responder.fail(status);
  }

  /**
   * Ends the conversation — with `answer`, a status or OK (`"end"`), or
   * without a word when the caller is gone — and aborts the task with the
   * reason `reasonOf` makes: its signal (once its routine started), and a
   * generator that was streaming.
   */
  #halt(reasonOf: () => unknown, answer?: StatusFrame | "end"): void {
    const was = this.#state;
    const closed = this.#move({
      name: "closed",
      reason: answer === undefined
        ? "abandoned"
        : answer === "end"
        ? "caller-ended"
        : "failed",
    });
    // The signal before the answer: a failed Dispatch stream reports its
    // failure back to the session as the caller's going away, which must
    // not name another reason.
    this.#abort(reasonOf);
    if (closed && answer !== undefined) {
      if (answer === "end") this.#responder.end();
      else this.#responder.fail(answer);
    }
    if (was.name === "streaming") void this.#closeGenerator(was);
  }

  /**
   * Aborts the task's signal, once, with the reason `reasonOf` makes. Only
   * a routine that started holds the signal (`taskSignal()`): a task that
   * ends before it ran has nobody to tell, and no reason is made for it —
   * a `DOMException` costs ~20 µs (it captures a stack), and every task a
   * hook rejects on the Dispatch transport ends without running.
   */
  #abort(reasonOf: () => unknown): void {
    if (this.#running && !this.#controller.signal.aborted) {
      this.#controller.abort(reasonOf());
    }
  }

  async #closeGenerator(state: Streaming): Promise<void> {
    await state.generator.close();
    this.#leaveDocket();
  }

  /**
   * The routine has ended: out of the docket (no-op when not in it), and a
   * learning hook hears how it ended.
   */
  #leaveDocket(): void {
    if (!this.#deps.docket.remove(this)) return;
    this.#telemetry.end(
      this.#outcome,
      this.#outcome === "error" ? this.#error : undefined,
    );
    this.#deps.gate.settle(this, {
      outcome: this.#outcome,
      generator: this.#generator,
    });
  }

  #internalError(error: unknown): void {
    this.#error = error;
    const details = `The worker failed while handling the task: ${
      describeErrorMessage(error)
    }`;
    this.#halt(() => error, statusFrame(Status.INTERNAL, details));
    this.#leaveDocket();
  }
}
