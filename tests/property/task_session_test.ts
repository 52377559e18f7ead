/**
 * `TaskSession` driven by random sequences of what can happen to a task:
 * frames of every kind in any order (a Task frame for a coroutine, a
 * generator, a routine that throws, one that cannot load, another
 * protocol version; Next, Send, Throw, Return, a frame of no kind), the
 * caller ending its side or cancelling, the worker stopping, and turns of
 * the event loop or single microtasks between them, under hooks that accept or reject, at once
 * or later, with the routine's module imported before (found at once) or
 * not yet (an import that ends turns later, after the hook accepted: the
 * caller may cancel and the worker may stop meanwhile).
 *
 * Whatever happens, the session answers in the protocol's grammar, ends
 * the conversation exactly once unless its caller went away first, never
 * answers after it ended, never fails on its own (INTERNAL), and leaves
 * the docket empty.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import type { BackpressureHook } from "../../src/backpressure/types.ts";
import { encodeError } from "../../src/wire/errors.ts";
import type { RequestFrame } from "../../src/wire/frames.ts";
import { PROTOCOL_VERSION } from "../../src/wire/protocol_version.ts";
import { Status, statusName } from "../../src/wire/status.ts";
import { encodeArgs, encodeValue } from "../../src/wire/values.ts";
import { AdmissionGate } from "../../src/worker/admission_gate.ts";
import { Docket } from "../../src/worker/docket.ts";
import { RoutineLoader } from "../../src/worker/routine_loader.ts";
import { TaskSession } from "../../src/worker/task_session.ts";
import { RecordingResponder } from "../_helpers/recording_responder.ts";
import { makeTaskFrame } from "../_helpers/task_frame.ts";
import { nextTurn } from "../_helpers/next_turn.ts";

const TASKS = new URL("../_fixtures/tasks.ts", import.meta.url).href;

/** Routines of every shape; none blocks, so every run settles by itself. */
const ROUTINES: Readonly<Record<string, unknown[]>> = {
  add: [1, 2],
  sum: [1, 2, 3],
  failSync: ["sync"],
  failRange: ["async"],
  unserializable: [],
  count: [2],
  doubler: [],
  catcher: [],
  failMidway: [],
};

/** What can happen to a session, as the test drives it. */
type Event =
  | { readonly kind: "frame"; readonly frame: RequestFrame }
  | { readonly kind: "client-ended" }
  | { readonly kind: "caller-cancelled" }
  | { readonly kind: "worker-stops" }
  | { readonly kind: "turn" }
  | { readonly kind: "microtask" };

function taskFrame(
  exportName: string,
  args: unknown[],
  protocolVersion = PROTOCOL_VERSION,
): RequestFrame {
  return {
    frame: "task",
    task: makeTaskFrame({
      protocolVersion,
      id: `t-${exportName}`,
      module: TASKS,
      export: exportName,
      args: encodeArgs(args),
    }),
  };
}

const frame: fc.Arbitrary<RequestFrame> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(...Object.keys(ROUTINES)).map((name) =>
      taskFrame(name, ROUTINES[name])
    ),
  },
  fc.constant(taskFrame("noSuchExport", [])),
  fc.constant(taskFrame("notAFunction", [])),
  fc.constant(taskFrame("add", [1, 2], PROTOCOL_VERSION + 1)),
  {
    weight: 3,
    arbitrary: fc.constant<RequestFrame>({ frame: "next", next: {} }),
  },
  fc.integer().map((n): RequestFrame => ({
    frame: "send",
    send: { value: encodeValue(n) },
  })),
  fc.constant<RequestFrame>({
    frame: "send",
    send: { value: new Uint8Array([0xff, 0x0f]) },
  }),
  fc.constant<RequestFrame>({
    frame: "throw",
    throw: { error: encodeError(new RangeError("thrown in")) },
  }),
  fc.constant<RequestFrame>({
    frame: "return",
    return: { value: encodeValue("early") },
  }),
  fc.constant({} as RequestFrame),
);

const event: fc.Arbitrary<Event> = fc.oneof(
  {
    weight: 6,
    arbitrary: frame.map((frame): Event => ({ kind: "frame", frame })),
  },
  { weight: 2, arbitrary: fc.constant<Event>({ kind: "turn" }) },
  { weight: 2, arbitrary: fc.constant<Event>({ kind: "microtask" }) },
  fc.constant<Event>({ kind: "client-ended" }),
  fc.constant<Event>({ kind: "caller-cancelled" }),
  fc.constant<Event>({ kind: "worker-stops" }),
);

/** Hooks that accept or reject, at once or a turn later. */
const HOOKS: Readonly<Record<string, BackpressureHook | null>> = {
  none: null,
  accepts: () => false,
  rejects: () => ({ reject: true, reason: "full" }),
  "accepts later": () =>
    new Promise((resolve) => setTimeout(resolve, 0, false)),
  "rejects later": () => new Promise((resolve) => setTimeout(resolve, 0, true)),
};

/** Loaded once, so that every later load is synchronous. */
const warmLoader = new RoutineLoader();
for (const name of Object.keys(ROUTINES)) await warmLoader.load(TASKS, name);

/** Checks the sends before the end against the grammar. */
function assertGrammar(sends: string[]): void {
  if (sends.length === 0) return;
  if (sends[0] === "nack") {
    assert.deepEqual(sends, ["nack"]);
    return;
  }
  assert.equal(sends[0], "ack");
  const rest = sends.slice(1);
  const last = rest.findIndex((kind) => kind !== "result");
  if (last >= 0) {
    assert.ok(["exception", "done"].includes(rest[last]), sends.join());
    assert.equal(last, rest.length - 1, `frames after ${rest[last]}`);
  }
}

Deno.test("TaskSession answers any sequence of frames and events in the protocol's grammar, ends exactly once unless its caller left first, and never answers after it ended", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...Object.keys(HOOKS)),
      fc.array(event, { minLength: 1, maxLength: 16 }),
      fc.boolean(),
      fc.boolean(),
      async (hookName, events, stopAtEnd, warm) => {
        // A fresh loader imports the module again: asynchronously.
        const loader = warm ? warmLoader : new RoutineLoader();
        const docket = new Docket();
        const gate = new AdmissionGate({
          hook: HOOKS[hookName],
          timeoutMs: 60_000,
          docket,
        });
        const responder = new RecordingResponder();
        const session = new TaskSession(
          { loader, gate, docket, maxMessageBytes: 1 << 20 },
          responder,
        );
        /** Answers given when the caller cancelled; none may follow. */
        let answersWhenCancelled: number | undefined;
        for (const happening of events) {
          switch (happening.kind) {
            case "frame":
              session.receive(happening.frame);
              break;
            case "client-ended":
              responder.markCallerDone();
              session.clientEnded();
              break;
            case "caller-cancelled":
              answersWhenCancelled ??= responder.answers.length;
              session.callerCancelled();
              break;
            case "worker-stops":
              session.cancel(new DOMException("stopping", "AbortError"));
              break;
            case "turn":
              await nextTurn();
              break;
            case "microtask":
              await Promise.resolve();
          }
        }
        // A generator nobody pulls would stream forever: the worker stops.
        if (stopAtEnd || answersWhenCancelled === undefined) {
          session.cancel(new DOMException("stopping", "AbortError"));
        }
        await docket.drained();
        await nextTurn();
        await nextTurn();

        const kinds = responder.kinds();
        const ends = kinds
          .map((kind, i) => [kind, i] as const)
          .filter(([kind]) => kind === "end" || kind.startsWith("fail"));
        assert.ok(ends.length <= 1, `ended twice: ${kinds}`);
        if (ends.length === 1) {
          assert.equal(ends[0][1], kinds.length - 1, `after the end: ${kinds}`);
        }
        if (answersWhenCancelled === undefined) {
          assert.equal(ends.length, 1, `never ended: ${kinds}`);
        } else {
          assert.equal(
            kinds.length,
            answersWhenCancelled,
            `answered after the caller cancelled: ${kinds}`,
          );
        }
        assert.ok(
          !kinds.includes(`fail ${statusName(Status.INTERNAL)}`),
          `failed on its own: ${JSON.stringify(responder.answers.at(-1))}`,
        );
        assertGrammar(
          kinds.filter((kind) => kind !== "end" && !kind.startsWith("fail")),
        );
        assert.equal(docket.size, 0);
      },
    ),
    { numRuns: 300 },
  );
});
