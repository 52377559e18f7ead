/**
 * The handle a call returns: awaitable for a coroutine's result, and
 * async-iterable for a generator's values, pulled one frame per step. The
 * same on both sides: a pool's calls, and the nested calls a task makes
 * through `currentPool()` (each drives a {@linkcode CallDriver}).
 *
 * @module
 */
import { decodeError } from "../wire/errors.ts";
import { encodeStep, type GeneratorStep } from "../wire/frame_codec.ts";
import { ProtocolError } from "../wire/protocol_error.ts";
import { STATUS_OK } from "../wire/task_grammar.ts";
import { decodeValue } from "../wire/values.ts";
import type { CallDriver } from "./call_driver.ts";

const NOT_A_GENERATOR = Symbol("not a generator");

/**
 * How a coroutine call failed. The result promise resolves with it rather
 * than rejecting, so a call nobody awaits needs no handler to keep its
 * rejection from being unhandled, and awaiting one takes a single hop.
 */
class Failure {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/** What a call's handle drives: a run, or the error of a call that failed before it could start. */
type CallSource = { readonly run: CallDriver } | { readonly failure: unknown };

/** Only this module may build a RemoteCall. */
const INTERNAL: unique symbol = Symbol("RemoteCall.internal");

let createCall: <R>(source: CallSource, label: string) => RemoteCall<R>;

/** The handle of a call started as `run`. */
export function startedCall<R>(run: CallDriver, label: string): RemoteCall<R> {
  return createCall<R>({ run }, label);
}

/**
 * The handle of a call that failed before any worker was asked (a bad
 * argument, a closed pool): awaiting it, or iterating it, rejects with
 * `error`.
 */
export function failedCall<R>(error: unknown, label: string): RemoteCall<R> {
  return createCall<R>({ failure: error }, label);
}

/**
 * A generator call that nothing can iterate any more (its handle and every
 * iterator over it were garbage-collected) would hold its worker's slot
 * until the pool closed: close it. Coroutine calls run to their end anyway,
 * so a call is registered only once its Ack says it is a generator.
 */
const abandoned = new FinalizationRegistry<CallDriver>((run) => run.abandon());

/** The element type of an async iterable (for generator routines). */
export type YieldOf<R> = R extends AsyncIterable<infer Y> ? Y
  : R extends Iterable<infer Y> ? Y
  : never;

/** The final result of awaiting a routine's return value. */
export type ResultOf<R> = R extends AsyncIterable<unknown> ? never : Awaited<R>;

/**
 * A call in flight: `await` it for a coroutine's result, or iterate it for
 * a generator's values. Awaiting a generator call (or iterating a
 * coroutine call) rejects with a `TypeError` saying which to do instead.
 *
 * @typeParam R The routine's return type.
 *
 * @example Awaiting a coroutine and iterating a generator
 * ```ts
 * import { WorkerPool } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const module = "data:text/javascript,export const add = async (a, b) => a + b;" +
 *   "export async function* count(n) { for (let i = 0; i < n; i++) yield i; }";
 * await using pool = await WorkerPool.start({ spawn: 1 });
 * assert.equal(await pool.dispatch({ module, export: "add", args: [1, 2] }), 3);
 * const seen: unknown[] = [];
 * for await (const i of pool.dispatch({ module, export: "count", args: [3] })) seen.push(i);
 * assert.deepEqual(seen, [0, 1, 2]);
 * ```
 */
export class RemoteCall<R = unknown>
  implements Promise<ResultOf<R>>, AsyncIterable<YieldOf<R>> {
  /** Names the class in `Object.prototype.toString`, as a promise's does. */
  readonly [Symbol.toStringTag] = "RemoteCall";
  readonly #source: CallSource;
  readonly #label: string;
  /**
   * The coroutine's result, a {@linkcode Failure}, or `NOT_A_GENERATOR`
   * for a generator call; it never rejects.
   */
  readonly #result: Promise<unknown>;

  /**
   * Not public: calls come from `pool.dispatch()` and `pool.remote()`.
   *
   * @throws {TypeError} when called from outside this module.
   * @ignore
   */
  private constructor(
    internal: typeof INTERNAL,
    source: CallSource,
    label: string,
  ) {
    if (internal !== INTERNAL) {
      throw new TypeError(
        "Cannot construct RemoteCall: calls come from pool.dispatch() and pool.remote()",
      );
    }
    this.#source = source;
    this.#label = label;
    this.#result = "run" in source
      ? readResult(source.run, this)
      : Promise.resolve(new Failure(source.failure));
  }

  static {
    createCall = (source, label) => new RemoteCall(INTERNAL, source, label);
  }

  /** Settles with the coroutine's result, or its error. */
  then<T1 = ResultOf<R>, T2 = never>(
    onFulfilled?: ((value: ResultOf<R>) => T1 | PromiseLike<T1>) | null,
    onRejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null,
  ): Promise<T1 | T2> {
    // One hop: `#result` never rejects, so a failure is handed to
    // `onRejected` here, as a rejection would be.
    return this.#result.then((value) => {
      if (value === NOT_A_GENERATOR) {
        const misuse = new TypeError(
          `Cannot await ${this.#label}: it is an async generator; iterate it with for await instead`,
        );
        if ("run" in this.#source) this.#source.run.fail(misuse);
        value = new Failure(misuse);
      }
      if (value instanceof Failure) {
        if (onRejected) return onRejected(value.error);
        throw value.error;
      }
      return onFulfilled ? onFulfilled(value as ResultOf<R>) : value as T1;
    });
  }

  /** Like `Promise.prototype.catch`. */
  catch<T = never>(
    onRejected?: ((reason: unknown) => T | PromiseLike<T>) | null,
  ): Promise<ResultOf<R> | T> {
    return this.then(undefined, onRejected);
  }

  /** Like `Promise.prototype.finally`. */
  finally(onFinally?: (() => void) | null): Promise<ResultOf<R>> {
    return this.then().finally(onFinally);
  }

  /** Drives the remote generator: one frame per `next`/`throw`/`return`. */
  [Symbol.asyncIterator](): AsyncGenerator<YieldOf<R>, unknown, unknown> {
    return new RemoteStream(this, this.#source, this.#label) as AsyncGenerator<
      YieldOf<R>,
      unknown,
      unknown
    >;
  }
}

/**
 * What a call's awaiting settles with: the coroutine's result, read from
 * the frame after its Ack, or a {@linkcode Failure}; `NOT_A_GENERATOR` for
 * a generator, which is then registered for when its handle is dropped.
 * A coroutine's run ends here, with its result, whether or not anyone
 * awaits it.
 */
async function readResult(run: CallDriver, call: object): Promise<unknown> {
  let accepted;
  try {
    accepted = await run.accepted;
  } catch (error) {
    return new Failure(error);
  }
  if (accepted.generator) {
    abandoned.register(call, run);
    return NOT_A_GENERATOR;
  }
  const outcome = await readCoroutine(run);
  if (outcome instanceof Failure) run.fail(outcome.error);
  else run.end();
  return outcome;
}

/** The accepted coroutine's result, or a {@linkcode Failure}; never throws. */
async function readCoroutine(run: CallDriver): Promise<unknown> {
  try {
    const event = await run.receive();
    if (event.kind === "frame") {
      const frame = event.frame;
      if (frame.frame === "result") {
        return decodeValue(frame.result.value, "result");
      }
      if (frame.frame === "exception") {
        return new Failure(decodeError(frame.exception.error));
      }
      throw new ProtocolError(
        `Unexpected "${frame.frame}" frame for a coroutine`,
      );
    }
    return new Failure(await run.lost(event.status));
  } catch (error) {
    return new Failure(error);
  }
}

/** The async generator a generator call's iteration returns. */
class RemoteStream implements AsyncGenerator<unknown, unknown, unknown> {
  /** Keeps the call (and so the remote generator) alive while iterated. */
  readonly #call: RemoteCall<unknown>;
  readonly #source: CallSource;
  readonly #label: string;
  #steps: Promise<unknown> = Promise.resolve();
  #started = false;
  #done = false;

  constructor(
    call: RemoteCall<unknown>,
    source: CallSource,
    label: string,
  ) {
    this.#call = call;
    this.#source = source;
    this.#label = label;
  }

  next(...sent: [] | [unknown]): Promise<IteratorResult<unknown, unknown>> {
    const first = !this.#started;
    this.#started = true;
    return this.#enqueue(
      first || sent.length === 0 || sent[0] === undefined
        ? { step: "next" }
        : { step: "send", value: sent[0] },
    );
  }

  throw(error: unknown): Promise<IteratorResult<unknown, unknown>> {
    this.#started = true;
    return this.#enqueue({ step: "throw", error });
  }

  return(value?: unknown): Promise<IteratorResult<unknown, unknown>> {
    this.#started = true;
    return this.#enqueue({ step: "return", value }, { done: true, value });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  #enqueue(
    step: GeneratorStep,
    whenDone: IteratorResult<unknown, unknown> = {
      done: true,
      value: undefined,
    },
  ): Promise<IteratorResult<unknown, unknown>> {
    const answer = this.#steps.then(() =>
      this.#done ? whenDone : this.#step(step)
    );
    this.#steps = answer.catch(() => {});
    return answer;
  }

  async #step(step: GeneratorStep): Promise<IteratorResult<unknown, unknown>> {
    const run = await this.#accepted();
    if (!run.generator) {
      this.#done = true;
      throw new TypeError(
        `Cannot iterate ${this.#label}: it is a coroutine; await it instead`,
      );
    }
    try {
      run.send(encodeStep(step, run.maxMessageBytes));
      const event = await run.receive();
      if (event.kind === "end") {
        throw event.status.code === STATUS_OK
          ? new ProtocolError(
            `The worker ended ${this.#label} without a Done frame`,
          )
          : await run.lost(event.status);
      }
      const response = event.frame;
      switch (response.frame) {
        case "result":
          return {
            done: false,
            value: decodeValue(
              response.result.value,
              "yielded value",
            ),
          };
        case "done":
          this.#finish(run);
          return {
            done: true,
            value: decodeValue(
              response.done.value,
              "return value",
            ),
          };
        case "exception":
          throw decodeError(response.exception.error);
        default:
          throw new ProtocolError(
            `Unexpected "${response.frame}" frame from a generator`,
          );
      }
    } catch (error) {
      this.#done = true;
      run.fail(error);
      throw error;
    }
  }

  /**
   * The run once a worker accepted it; or the call's failure, which ends
   * the iteration. Read at the first step, so an iterator never stepped
   * leaves no rejected promise behind.
   */
  async #accepted(): Promise<CallDriver> {
    try {
      if ("failure" in this.#source) throw this.#source.failure;
      await this.#source.run.accepted;
      return this.#source.run;
    } catch (error) {
      this.#done = true;
      throw error;
    }
  }

  #finish(run: CallDriver): void {
    this.#done = true;
    run.end();
  }
}
