/**
 * What a task running in the worker reads about itself through
 * `@wool/core/task` (`taskSignal()`, `currentPool()`): its id, its signal,
 * and the pool it was dispatched from, made at the first `currentPool()`.
 *
 * A class with the pool as a getter on its prototype, not an object
 * literal with a getter and a closure: a worker makes one per task, and
 * the literal's per-task getter closure, even never called, cost ~4 µs of
 * worker CPU per trivial task and made the worker's scavenges keep what
 * it captured (`bench/tail.ts`: longest scavenge 13–16 ms against 2–5 ms).
 * For the same reason it lets go of its session once the task has ended:
 * a resource made in the task's async context (a transport's callback, a
 * timer) may keep the context, so this object, alive after the task.
 *
 * @module
 */
import type { TaskContext } from "../task/task_context.ts";
import { NestedCalls } from "./nested_calls.ts";
import { NestedPool } from "./nested_pool.ts";

/** Where a running task's nested calls go, once it makes one. */
export interface NestedCallsSource {
  /** The task's nested calls, made at the first. */
  nestedCalls(): NestedCalls;
  /** Largest value or error payload, in bytes, a call may carry. */
  readonly maxMessageBytes: number;
}

/** Why a task's nested calls end when its conversation closes. */
export function parentEnded(): DOMException {
  return new DOMException(
    "The task that made the nested call ended",
    "AbortError",
  );
}

/** The source of a task that has ended: every call it makes fails at once. */
const ENDED: NestedCallsSource = {
  nestedCalls(): NestedCalls {
    const calls = new NestedCalls(() => {}, Number.MAX_SAFE_INTEGER);
    calls.parentEnded(parentEnded());
    return calls;
  },
  // No size check before the call fails for its real reason.
  maxMessageBytes: Number.MAX_SAFE_INTEGER,
};

/** The task context of one task a worker runs. */
export class RunningTask implements TaskContext {
  /** The task's id. */
  readonly id: string;
  /** Aborted when the caller cancels the task or its time runs out. */
  readonly signal: AbortSignal;
  /** Its nesting depth: 0 for a call made outside any task. */
  readonly depth: number;
  #source: NestedCallsSource;
  #pool: NestedPool | undefined;

  constructor(
    id: string,
    signal: AbortSignal,
    depth: number,
    source: NestedCallsSource,
  ) {
    this.id = id;
    this.signal = signal;
    this.depth = depth;
    this.#source = source;
  }

  /** The task ended: calls it makes from now on fail at once. */
  detach(): void {
    this.#source = ENDED;
  }

  /** The pool the task was dispatched from, made at the first use. */
  get pool(): NestedPool {
    return this.#pool ??= new NestedPool(
      this.#source.nestedCalls(),
      this,
      this.#source.maxMessageBytes,
    );
  }
}
