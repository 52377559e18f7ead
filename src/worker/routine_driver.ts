/**
 * Driving a routine's result one step per caller frame: what counts as a
 * generator, and which generator method each frame calls.
 *
 * @module
 */
import { runInTaskScope, type TaskScope } from "../task/task_context.ts";
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
 * Calls `routine` as the body of the task whose scope is `scope` (its
 * task context and its variables). A synchronous throw becomes a rejected
 * promise, as an async function's would.
 */
export function callRoutine(
  routine: Routine,
  args: readonly unknown[],
  scope: TaskScope,
): unknown {
  try {
    return runInTaskScope(scope, () => routine(...args));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * A generator routine in flight: each step, and its closing, run in its
 * task's scope (a generator resumes in its resumer's context, so each step
 * re-enters it; what the task set in one step it sees in the next).
 */
export class GeneratorRun {
  readonly #generator: Stepper;
  readonly #scope: TaskScope;

  constructor(generator: Stepper, scope: TaskScope) {
    this.#generator = generator;
    this.#scope = scope;
  }

  /** One step, as `frame` asks (see {@linkcode advance}). */
  step(
    frame: RequestFrame,
  ):
    | IteratorResult<unknown, unknown>
    | Promise<IteratorResult<unknown, unknown>> {
    return runInTaskScope(this.#scope, () => advance(this.#generator, frame));
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
      await runInTaskScope(this.#scope, () => generator.return!());
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
