import assert from "node:assert/strict";
import {
  normalizeHook,
  type SettledTask,
} from "../../../src/backpressure/hook_object.ts";
import type { RequestFrame } from "../../../src/wire/frames.ts";
import { encodeArgs } from "../../../src/wire/values.ts";
import { AdmissionGate } from "../../../src/worker/admission_gate.ts";
import { Docket } from "../../../src/worker/docket.ts";
import { RoutineLoader } from "../../../src/worker/routine_loader.ts";
import { TaskSession } from "../../../src/worker/task_session.ts";
import { Gate } from "../../_helpers/gate.ts";
import { RecordingResponder } from "../../_helpers/recording_responder.ts";
import { makeTaskFrame } from "../../_helpers/task_frame.ts";

const TASKS = new URL("../../_fixtures/tasks.ts", import.meta.url).href;

/** A worker's parts around a hook object whose settled() is recorded. */
function learningWorker() {
  const settled: SettledTask[] = [];
  const waiters: (() => void)[] = [];
  const hook = normalizeHook({
    admit: (ctx: { task: { tag?: string } }) => ctx.task.tag === "reject",
    settled(done: SettledTask) {
      settled.push(done);
      waiters.splice(0).forEach((wake) => wake());
    },
  });
  const docket = new Docket();
  const gate = new AdmissionGate({ hook, timeoutMs: 60_000, docket });
  const deps = {
    loader: new RoutineLoader(),
    gate,
    docket,
    maxMessageBytes: 1 << 20,
  };
  return {
    docket,
    settled,
    /** Resolves once settled() has been called `count` times in all. */
    settledCount(count: number): Promise<void> {
      if (settled.length >= count) return Promise.resolve();
      return new Promise((resolve) => {
        const check = () =>
          settled.length >= count ? resolve() : waiters.push(check);
        waiters.push(check);
      });
    },
    open() {
      const responder = new RecordingResponder();
      return { session: new TaskSession(deps, responder), responder };
    },
  };
}

function taskFrame(
  exportName: string,
  args: unknown[],
  tag = "",
): RequestFrame {
  return {
    frame: "task",
    task: makeTaskFrame({
      id: `t-${exportName}`,
      module: TASKS,
      export: exportName,
      args: encodeArgs(args),
      tag,
    }),
  };
}

Deno.test("TaskSession settles a task the worker cancels while stopping as cancelled, once its routine has ended", async () => {
  const w = learningWorker();
  await using gate = Gate.open();
  const { session, responder } = w.open();
  session.receive(taskFrame("waitForAbort", [gate.port]));
  await gate.arrived(1);
  assert.equal(w.settled.length, 0);
  session.cancel(new Error("the worker is stopping"));
  await responder.closed;
  await w.settledCount(1);
  assert.equal(w.docket.size, 0);
  assert.deepEqual(
    w.settled.map((done) => [done.task.export, done.outcome, done.generator]),
    [["waitForAbort", "cancelled", false]],
  );
});

Deno.test("TaskSession settles a generator whose caller ended its side as cancelled, and a thrown task as an error", async () => {
  const w = learningWorker();
  await using gate = Gate.open();
  const streaming = w.open();
  streaming.session.receive(taskFrame("gatedCount", [gate.port, 3]));
  await streaming.responder.answered(1); // the Ack
  streaming.session.receive({ frame: "next", next: {} });
  await gate.arrived(1);
  streaming.responder.markCallerDone();
  streaming.session.clientEnded();
  await gate.release();
  await w.settledCount(1);
  const failing = w.open();
  failing.session.receive(taskFrame("failCustom", ["no"]));
  await w.settledCount(2);
  const rejected = w.open();
  rejected.session.receive(taskFrame("add", [1, 2], "reject"));
  await rejected.responder.closed;
  assert.deepEqual(
    w.settled.map((done) => [done.task.export, done.outcome, done.generator]),
    [["gatedCount", "cancelled", true], ["failCustom", "error", false]],
  );
});
