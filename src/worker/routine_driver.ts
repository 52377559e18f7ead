/**
 * Driving a routine's result one step per caller frame: what counts as a
 * generator, and which generator method each frame calls.
 *
 * @module
 */
import type { ContextScope } from "../task/context_var.ts";
import { runInTaskContext, type TaskContext } from "../task/task_context.ts";
import { decodeError } from "../wire/errors.ts";
import type { RequestFrame } from "../wire/frames.ts";
import { ProtocolError } from "../wire/protocol_error.ts";
import { decodeValue } from "../wire/values.ts";
import type { Routine } from "./routine_loader.ts";

/** A running generator: async, or sync (its steps are awaited the same). */
export type Stepper =
  | AsyncIterator<unknown, unknown, unknown>
  | Iterator<unknown>;

/** True when a routine returned a generator (an iterator with `next`). */
export function isStepper(value: unknown): value is Stepper {
  if (value === null || typeof value !== "object") return false;
  const candidate = value as Record<PropertyKey, unknown>;
  return typeof candidate.next === "function" &&
    (Symbol.asyncIterator in candidate || Symbol.iterator in candidate);
}

/**
 * What a routine runs in: its task's context (id, signal) and the scope of
 * its context variables, made from the caller's record.
 */
export interface RoutineContext {
  readonly task: TaskContext;
  readonly scope: ContextScope;
}

/** Runs `fn` in the task's context and its variables' scope. */
function runAsTask<T>(context: RoutineContext, fn: () => T): T {
  return context.scope.run(() => runInTaskContext(context.task, fn));
}

/**
 * Calls `routine` as the body of the task `context` describes. A
 * synchronous throw becomes a rejected promise, as an async function's
 * would.
 */
export function callRoutine(
  routine: Routine,
  args: readonly unknown[],
  context: RoutineContext,
): unknown {
  try {
    return runAsTask(context, () => routine(...args));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * A generator routine in flight: each step, and its closing, run in its
 * task's context and its variables' scope (a generator resumes in its
 * resumer's context, so each step re-enters them; what the task set in one
 * step it sees in the next).
 */
export class GeneratorRun {
  readonly #generator: Stepper;
  readonly #context: RoutineContext;

  constructor(generator: Stepper, context: RoutineContext) {
    this.#generator = generator;
    this.#context = context;
  }

  /** One step, as `frame` asks (see {@linkcode advance}). */
  step(
    frame: RequestFrame,
  ):
    | IteratorResult<unknown, unknown>
    | Promise<IteratorResult<unknown, unknown>> {
    return runAsTask(this.#context, () => advance(this.#generator, frame));
  }

  /**
   * Closes the generator nothing will drive any more, so its `finally`
   * blocks run. One that throws while closing has no one left to tell: the
   * error is dropped.
   */
  async close(): Promise<void> {
    const generator = this.#generator;
    if (!generator.return) return;
    try {
      await runAsTask(this.#context, () => generator.return!());
    } catch {
      // See above: the caller has gone.
    }
  }
}

/** Takes one step of `generator` as `frame` asks: next, send, throw or return. */
export function advance(
  generator: Stepper,
  frame: RequestFrame,
):
  | IteratorResult<unknown, unknown>
  | Promise<IteratorResult<unknown, unknown>> {
  switch (frame.frame) {
    case "next":
      return generator.next();
    case "send":
      return generator.next(
        decodeValue(frame.send.value ?? new Uint8Array(), "sent value"),
      );
    case "throw": {
      const error = decodeError(frame.throw.error ?? new Uint8Array());
      if (!generator.throw) throw error;
      return generator.throw(error);
    }
    case "return": {
      const value = decodeValue(
        frame.return.value ?? new Uint8Array(),
        "returned value",
      );
      if (!generator.return) return { done: true, value };
      return generator.return(value);
    }
    case "task":
      throw new ProtocolError("A Task frame cannot drive a running generator");
    default:
      // A frame with none of the kinds set (a hostile or newer caller).
      throw new ProtocolError(
        "A frame of no known kind cannot drive a generator",
      );
  }
}
