/**
 * The states of a `TaskSession` and the moves between them: the
 * protocol table in `task_session.ts`'s module doc, as data.
 *
 * @module
 */
import type { GeneratorRun } from "./routine_driver.ts";

/** Why a session closed. */
export type CloseReason =
  /** Its last frame (a Nack, a coroutine's Result, Done, an Exception) was sent. */
  | "answered"
  /** It ended with an error status: refused, rejected, cancelled, failed. */
  | "failed"
  /** The caller ended its side while a generator streamed: ended with OK. */
  | "caller-ended"
  /** The caller cancelled or went away: nothing more is sent. */
  | "abandoned";

/** Where a task session is in its life (see the table in `task_session.ts`). */
export type State =
  | { readonly name: "waiting" }
  | { readonly name: "admitting" }
  | { readonly name: "loading" }
  | { readonly name: "running" }
  | { readonly name: "streaming"; readonly generator: GeneratorRun }
  | { readonly name: "closed"; readonly reason: CloseReason };

/** The state of a session whose generator streams. */
export type Streaming = Extract<State, { name: "streaming" }>;

const MOVES: Readonly<Record<State["name"], readonly State["name"][]>> = {
  waiting: ["admitting", "closed"],
  admitting: ["loading", "closed"],
  loading: ["running", "streaming", "closed"],
  running: ["closed"],
  streaming: ["closed"],
  closed: [],
};

/** True when the table lets a session move from `from` to `to`. */
export function canMove(from: State["name"], to: State["name"]): boolean {
  return MOVES[from].includes(to);
}
