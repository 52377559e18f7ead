/**
 * What a task running in the worker reads about itself through
 * `@wool/core/task` (`taskSignal()`, `currentPool()`): its id, its signal,
 * and the pool it was dispatched from, made at the first `currentPool()`;
 * and the nested calls the task makes through that pool: held until the
 * task's Ack has gone, answered by the CallReply frames its session hands
 * on, ended with the task. It is also the task's scope (`TaskScope`): the
 * one store its routine and each generator step run in, holding the
 * task's context variables.
 *
 * A class with the pool as a getter on its prototype, not an object
 * literal with a getter and a closure: a worker makes one per task, and
 * the literal's per-task getter closure, even never called, cost ~4 µs of
 * worker CPU per trivial task and made the worker's scavenges keep what
 * it captured (`bench/tail.ts`: longest scavenge 13–16 ms against 2–5 ms).
 * For the same reason it lets go of its session's port once the task has
 * ended:
 * a resource made in the task's async context (a transport's callback, a
 * timer) may keep the context, so this object, alive after the task.
 *
 * @module
 */
import type { TaskContext, TaskScope } from "../task/task_context.ts";
import type { CallReply, ResponseFrame } from "../wire/frames.ts";
import { NestedCalls } from "./nested_calls.ts";
import { NestedPool } from "./nested_pool.ts";

/** How a running task's nested calls reach its caller: its session. */
export interface CallPort {
  /** Sends a Call frame among the task's responses (dropped once it closed). */
  sendCall(frame: ResponseFrame): void;
  /** Largest value or error payload, in bytes, a call may carry. */
  readonly maxMessageBytes: number;
}

/** Why a task's nested calls end when its conversation closes. */
function parentEnded(): DOMException {
  return new DOMException(
    "The task that made the nested call ended",
    "AbortError",
  );
}

/** The port of a task that has ended: nothing goes out. */
const CLOSED_PORT: CallPort = {
  sendCall() {},
  // No size check before a call fails for its real reason.
  maxMessageBytes: Number.MAX_SAFE_INTEGER,
};

/** The task context, and scope, of one task a worker runs. */
export class RunningTask implements TaskContext, TaskScope {
  /** The task's id. */
  readonly id: string;
  /** Aborted when the caller cancels the task or its time runs out. */
  readonly signal: AbortSignal;
  /** Its nesting depth: 0 for a call made outside any task. */
  readonly depth: number;
  /** The task's context variables: its caller's, then what it sets. */
  vars: Map<string, unknown> | undefined;
  #port: CallPort;
  #pool: NestedPool | undefined;
  /** The nested calls the task makes, from its first. */
  #calls: NestedCalls | undefined;
  /** True once the task's Ack was sent: its nested calls may go. */
  #acked = false;
  #ended = false;

  /**
   * @param vars The context variables the task starts with
   * (`contextVars()` of its caller's record); none when left out.
   */
  constructor(
    id: string,
    signal: AbortSignal,
    depth: number,
    port: CallPort,
    vars?: Map<string, unknown>,
  ) {
    this.id = id;
    this.signal = signal;
    this.depth = depth;
    this.#port = port;
    this.vars = vars;
  }

  /** The task running in this scope: this one. */
  get task(): RunningTask {
    return this;
  }

  /** The pool the task was dispatched from, made at the first use. */
  get pool(): NestedPool {
    return this.#pool ??= new NestedPool(
      this.#nestedCalls(),
      this,
      this.#port.maxMessageBytes,
    );
  }

  /** The task's Ack went out: the nested calls it made meanwhile may go. */
  acked(): void {
    this.#acked = true;
    this.#calls?.acked();
  }

  /** An answer to one of the task's nested calls. */
  deliver(reply: CallReply): void {
    this.#calls?.deliver(reply);
  }

  /**
   * The task's conversation closed: its open calls end, later ones fail
   * at once, and the session's port is let go.
   */
  ended(): void {
    this.#ended = true;
    this.#port = CLOSED_PORT;
    this.#calls?.parentEnded(parentEnded());
  }

  #nestedCalls(): NestedCalls {
    if (this.#calls) return this.#calls;
    const calls = this.#calls = new NestedCalls(
      (frame) => this.#port.sendCall(frame),
      this.#port.maxMessageBytes,
    );
    if (this.#acked) calls.acked();
    if (this.#ended) calls.parentEnded(parentEnded());
    return calls;
  }
}
