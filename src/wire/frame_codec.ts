/**
 * Frames built from values: what a worker answers a task with, and what a
 * caller drives a generator with. Values and errors are encoded here, and
 * each side keeps to `maxMessageBytes` on what it sends: an oversized
 * value is never sent as it is — on a Session stream it would break every
 * other task — but becomes a {@linkcode MessageTooLarge}, sent in its place
 * (worker) or thrown before sending (caller).
 *
 * @module
 */
import { encodeError } from "./errors.ts";
import type { RequestFrame, ResponseFrame } from "./frames.ts";
import { MessageTooLarge } from "./message_too_large.ts";
import { explainTaskPermissionError } from "./task_permission_denied.ts";
import type { TaskKind } from "./task_grammar.ts";
import { encodeValue } from "./values.ts";

/** The response frames of one task, as its worker sends them. */
export class ResponseEncoder {
  readonly #maxMessageBytes: number;
  readonly #exportName: string;

  /**
   * @param maxMessageBytes Largest value or error payload, in bytes.
   * @param exportName The task's export, named in size errors.
   */
  constructor(maxMessageBytes: number, exportName: string) {
    this.#maxMessageBytes = maxMessageBytes;
    this.#exportName = exportName;
  }

  /** The Ack of an accepted task, saying what it turned out to be. */
  ack(kind: TaskKind): ResponseFrame {
    return { frame: "ack", ack: { generator: kind === "generator" } };
  }

  /** The Nack of a task that cannot run: its load error. */
  nack(error: unknown): ResponseFrame {
    return { frame: "nack", nack: { error: this.#errorBytes(error) } };
  }

  /**
   * The Exception of a task whose routine threw `error`: the one place a
   * task's error becomes a frame. A permission Deno denied the task is sent
   * as a `TaskPermissionDenied` naming the `worker.permissions` entry that
   * grants it, with Deno's error as its cause; any other error as it is.
   */
  exception(error: unknown): ResponseFrame {
    return {
      frame: "exception",
      exception: { error: this.#errorBytes(explainTaskPermissionError(error)) },
    };
  }

  /**
   * A Result (a coroutine's, or a generator's step) or a Done (a
   * generator's return value); an Exception instead when the value cannot
   * be serialized or is over the limit.
   */
  value(kind: "result" | "done", value: unknown): ResponseFrame {
    const what = `${
      kind === "done" ? "return value" : "result"
    } of "${this.#exportName}"`;
    let bytes: Uint8Array;
    try {
      bytes = encodeValue(value, what);
    } catch (error) {
      return { frame: "exception", exception: { error: encodeError(error) } };
    }
    if (bytes.length > this.#maxMessageBytes) {
      const tooLarge = new MessageTooLarge(
        `result of "${this.#exportName}"`,
        bytes.length,
        this.#maxMessageBytes,
      );
      return {
        frame: "exception",
        exception: { error: encodeError(tooLarge) },
      };
    }
    return kind === "done"
      ? { frame: "done", done: { value: bytes } }
      : { frame: "result", result: { value: bytes } };
  }

  /**
   * `error` encoded, or a `MessageTooLarge` in its place when it is over
   * the limit (a huge message or property).
   */
  #errorBytes(error: unknown): Uint8Array {
    const bytes = encodeError(error);
    if (bytes.length <= this.#maxMessageBytes) return bytes;
    return encodeError(
      new MessageTooLarge(
        `error of "${this.#exportName}"`,
        bytes.length,
        this.#maxMessageBytes,
      ),
    );
  }
}

/** One step a caller asks of a running generator. */
export type GeneratorStep =
  | { readonly step: "next" }
  | { readonly step: "send"; readonly value: unknown }
  | { readonly step: "throw"; readonly error: unknown }
  | { readonly step: "return"; readonly value: unknown };

/**
 * The request frame of a generator step.
 *
 * @throws {TypeError} when the value cannot be serialized.
 * @throws {MessageTooLarge} when it is over `maxMessageBytes`.
 */
export function encodeStep(
  step: GeneratorStep,
  maxMessageBytes: number,
): RequestFrame {
  const fit = (bytes: Uint8Array, what: string): Uint8Array => {
    if (bytes.length > maxMessageBytes) {
      throw new MessageTooLarge(what, bytes.length, maxMessageBytes);
    }
    return bytes;
  };
  switch (step.step) {
    case "next":
      return { frame: "next", next: {} };
    case "send": {
      const what = "value sent to the generator";
      return {
        frame: "send",
        send: { value: fit(encodeValue(step.value, what), what) },
      };
    }
    case "throw":
      return {
        frame: "throw",
        throw: {
          error: fit(
            encodeError(step.error),
            "error thrown into the generator",
          ),
        },
      };
    case "return": {
      const what = "value returned to the generator";
      return {
        frame: "return",
        return: { value: fit(encodeValue(step.value, what), what) },
      };
    }
  }
}
