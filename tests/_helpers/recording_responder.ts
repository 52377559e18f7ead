/**
 * A `TaskResponder` that records what a task session answers, for tests of
 * the session without a transport.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { ResponseFrame, StatusFrame } from "../../src/wire/frames.ts";
import { statusName } from "../../src/wire/status.ts";
import type { TaskResponder } from "../../src/worker/task_ports.ts";

/** One answer a session gave. */
export type Answer =
  | { readonly send: ResponseFrame }
  | { readonly end: true }
  | { readonly fail: StatusFrame };

/** Records every answer, in order, and resolves `closed` at the first end. */
export class RecordingResponder implements TaskResponder {
  readonly answers: Answer[] = [];
  readonly closed: Promise<void>;
  #close!: () => void;
  #waiters: { count: number; resolve: () => void }[] = [];
  #callerDone = false;

  constructor() {
    this.closed = new Promise((resolve) => this.#close = resolve);
  }

  send(frame: ResponseFrame): void {
    this.#record({ send: frame });
  }

  end(): void {
    this.#record({ end: true });
    this.#close();
  }

  fail(status: StatusFrame): void {
    this.#record({ fail: status });
    this.#close();
  }

  callerDone(): boolean {
    return this.#callerDone;
  }

  /** The caller half-closed its side (as a `Dispatch` stream's end). */
  markCallerDone(): void {
    this.#callerDone = true;
  }

  /** Resolves once `count` answers in all have been given. */
  answered(count: number): Promise<void> {
    if (this.answers.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  /** The kinds of answers: `ack`, `result`, …, `end`, or `fail <CODE>`. */
  kinds(): string[] {
    return this.answers.map((answer) =>
      "send" in answer
        ? answer.send.frame ?? "none"
        : "end" in answer
        ? "end"
        : `fail ${statusName(answer.fail.code)}`
    );
  }

  /** The status of a failed session. */
  failure(): StatusFrame {
    const last = this.answers.at(-1);
    assert.ok(
      last && "fail" in last,
      `expected a failure, got ${this.kinds()}`,
    );
    return last.fail;
  }

  #record(answer: Answer): void {
    this.answers.push(answer);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.answers.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }
}
