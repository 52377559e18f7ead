/**
 * Driving a routine's result one step per caller frame: what counts as a
 * generator, and which generator method each frame calls.
 *
 * @module
 */
import { decodeError } from "../wire/errors.ts";
import type { RequestFrame } from "../wire/frames.ts";
import { decodeValue } from "../wire/values.ts";

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
      throw new TypeError("A Task frame cannot drive a running generator");
    default:
      // A frame with none of the kinds set (a hostile or newer caller).
      throw new TypeError("A frame of no known kind cannot drive a generator");
  }
}
