import assert from "node:assert/strict";
import { grpc } from "../../../src/wire/grpc.ts";
import type {
  BackpressureHook,
  Verdict,
} from "../../../src/backpressure/types.ts";
import { decodeError } from "../../../src/wire/errors.ts";
import { TaskLoadError } from "../../../src/wire/task_load_error.ts";
import type {
  RequestFrame,
  StatusFrame,
  TaskFrame,
} from "../../../src/wire/frames.ts";
import {
  decodeValue,
  encodeArgs,
  encodeValue,
} from "../../../src/wire/values.ts";
import { AdmissionGate } from "../../../src/worker/admission_gate.ts";
import { Docket } from "../../../src/worker/docket.ts";
import { RoutineLoader } from "../../../src/worker/routine_loader.ts";
import { TaskSession } from "../../../src/worker/task_session.ts";
import type { TaskSessionDeps } from "../../../src/worker/task_ports.ts";
import { Gate } from "../../_helpers/gate.ts";
import {
  type Answer,
  RecordingResponder,
} from "../../_helpers/recording_responder.ts";
import { exists } from "../../_helpers/files.ts";
import { makeTaskFrame } from "../../_helpers/task_frame.ts";
import { heldSignals } from "../../_fixtures/tasks.ts";

const TASKS = new URL("../../_fixtures/tasks.ts", import.meta.url).href;
const MARKER_MODULE = new URL(
  "../../_fixtures/security/top_level_marker.ts",
  import.meta.url,
).href;

interface Worker {
  readonly deps: TaskSessionDeps;
  readonly docket: Docket;
  readonly gate: AdmissionGate;
  readonly asked: string[];
  open(): { session: TaskSession; responder: RecordingResponder };
}

/** A worker's parts around `hook`, recording which tasks the hook was asked about. */
function worker(
  hook: BackpressureHook | null,
  timeoutMs = 60_000,
): Worker {
  const docket = new Docket();
  const asked: string[] = [];
  const recording: BackpressureHook | null = hook && ((ctx) => {
    asked.push(ctx.task.id);
    return hook(ctx);
  });
  const gate = new AdmissionGate({ hook: recording, timeoutMs, docket });
  const deps = {
    loader: new RoutineLoader(),
    gate,
    docket,
    maxMessageBytes: 1 << 20,
  };
  return {
    deps,
    docket,
    gate,
    asked,
    open() {
      const responder = new RecordingResponder();
      return { session: new TaskSession(deps, responder), responder };
    },
  };
}

function taskFrame(
  exportName: string,
  args: unknown[],
  extra: Partial<TaskFrame> = {},
): RequestFrame {
  return {
    frame: "task",
    task: makeTaskFrame({
      id: `t-${exportName}`,
      module: TASKS,
      export: exportName,
      args: encodeArgs(args),
      ...extra,
    }),
  };
}

async function tempFile(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "wool_session_" });
  return `${dir}/marks.txt`;
}

async function removeParent(path: string): Promise<void> {
  await Deno.remove(path.slice(0, path.lastIndexOf("/")), { recursive: true });
}

function resultOf(answer: Answer): unknown {
  assert.ok("send" in answer && answer.send.frame === "result");
  return decodeValue(answer.send.result.value);
}

Deno.test("TaskSession rejected by its hook fails with RESOURCE_EXHAUSTED marked wool-rejected, sends no Ack, and never runs the task", async () => {
  const path = await tempFile();
  try {
    const w = worker(() => ({ reject: true, reason: "busy" }));
    const { session, responder } = w.open();
    session.receive(taskFrame("mark", [path, "ran"]));
    await responder.closed;
    assert.deepEqual(responder.kinds(), ["fail RESOURCE_EXHAUSTED"]);
    assert.deepEqual(responder.failure(), {
      code: grpc.status.RESOURCE_EXHAUSTED,
      details: "Rejected by backpressure hook: busy",
      metadata: {
        "wool-rejected": "backpressure",
        "wool-rejected-cause": "hook",
        "wool-reason": "busy",
      },
    });
    assert.equal(w.docket.size, 0);
    assert.equal(await exists(path), false);
  } finally {
    await removeParent(path);
  }
});

Deno.test("TaskSession names each kind of hook failure in its RESOURCE_EXHAUSTED rejection", async (t) => {
  const cases: {
    name: string;
    hook: BackpressureHook;
    cause: string;
    details: string;
  }[] = [
    {
      name: "a bare true",
      hook: () => true,
      cause: "hook",
      details: "Rejected by backpressure hook",
    },
    {
      name: "a throw",
      hook: () => {
        throw new TypeError("boom");
      },
      cause: "hook-error",
      details: "Backpressure hook threw: TypeError: boom",
    },
    {
      name: "a rejected promise",
      hook: () => Promise.reject(new RangeError("async boom")),
      cause: "hook-error",
      details: "Backpressure hook threw: RangeError: async boom",
    },
    {
      name: "no answer in time",
      hook: () => new Promise<Verdict>(() => {}),
      cause: "hook-timeout",
      details: "Backpressure hook did not answer within 20 ms",
    },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      const w = worker(c.hook, 20);
      const { session, responder } = w.open();
      session.receive(taskFrame("add", [1, 2]));
      await responder.closed;
      assert.deepEqual(responder.failure(), {
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: c.details,
        metadata: {
          "wool-rejected": "backpressure",
          "wool-rejected-cause": c.cause,
        },
      });
      assert.equal(w.docket.size, 0);
    });
  }
});

Deno.test("TaskSession of a stopping worker fails with UNAVAILABLE, cause stopping, not marked as a hook rejection", async () => {
  const w = worker(() => false);
  w.gate.stop();
  const { session, responder } = w.open();
  session.receive(taskFrame("add", [1, 2]));
  await responder.closed;
  assert.deepEqual(responder.failure(), {
    code: grpc.status.UNAVAILABLE,
    details: "Worker is stopping and admits no new task",
    metadata: { "wool-rejected-cause": "stopping" },
  });
  assert.deepEqual(w.asked, []);
});

Deno.test("TaskSession accepted by its hook sends an Ack, then the Result, and leaves the docket", async () => {
  const w = worker(() => false);
  const { session, responder } = w.open();
  session.receive(taskFrame("add", [1, 2]));
  await responder.closed;
  assert.deepEqual(responder.kinds(), ["ack", "result", "end"]);
  assert.deepEqual(responder.answers[0], {
    send: { frame: "ack", ack: { generator: false } },
  });
  assert.equal(resultOf(responder.answers[1]), 3);
  await w.docket.drained();
});

Deno.test("TaskSession counts a running task in the docket the next task's hook sees", async () => {
  await using gate = Gate.open();
  const counts: number[] = [];
  const w = worker((ctx) => {
    counts.push(ctx.activeTaskCount);
    return false;
  });
  const first = w.open();
  first.session.receive(taskFrame("waitAtGate", [gate.port, "held"]));
  let holding = true;
  await Promise.race([
    gate.arrived(1),
    first.responder.closed.then(() => {
      if (holding) throw new Error(`ended early: ${first.responder.kinds()}`);
    }),
  ]);
  holding = false;
  assert.equal(w.docket.size, 1);
  const second = w.open();
  second.session.receive(taskFrame("add", [2, 3]));
  await second.responder.closed;
  await gate.release();
  await first.responder.closed;
  assert.deepEqual(counts, [0, 1]);
  assert.equal(resultOf(first.responder.answers[1]), "held");
  await w.docket.drained();
});

Deno.test("TaskSession asks the hook before it looks for the routine, then nacks one it cannot find before any Ack and leaves the docket", async () => {
  const w = worker(() => false);
  const { session, responder } = w.open();
  session.receive(taskFrame("noSuchExport", []));
  await responder.closed;
  assert.deepEqual(responder.kinds(), ["nack", "end"]);
  const [answer] = responder.answers;
  assert.ok("send" in answer && answer.send.frame === "nack");
  const error = decodeError(answer.send.nack.error);
  assert.ok(error instanceof TaskLoadError, `got ${error}`);
  assert.equal(error.export, "noSuchExport");
  assert.match(error.message, /has no export "noSuchExport"/);
  assert.deepEqual(w.asked, ["t-noSuchExport"]);
  assert.equal(w.docket.size, 0);
});

Deno.test("TaskSession nacks arguments it cannot decode without asking the hook", async () => {
  const w = worker(() => false);
  const { session, responder } = w.open();
  session.receive(
    taskFrame("add", [], { args: new Uint8Array([0xff, 0x00, 0x13]) }),
  );
  await responder.closed;
  assert.deepEqual(responder.kinds(), ["nack", "end"]);
  assert.deepEqual(w.asked, []);
  assert.equal(w.docket.size, 0);
});

Deno.test("TaskSession rejected by its hook never imports the task's module: its top-level code does not run", async (t) => {
  const path = await tempFile();
  const module = `${MARKER_MODULE}?marker=${encodeURIComponent(path)}`;
  try {
    await t.step("rejected: no mark", async () => {
      const w = worker(() => true);
      const { session, responder } = w.open();
      session.receive(taskFrame("run", [], { module }));
      await responder.closed;
      assert.deepEqual(responder.kinds(), ["fail RESOURCE_EXHAUSTED"]);
      assert.equal(await exists(path), false);
    });
    await t.step("accepted: imported, then run", async () => {
      const w = worker(() => false);
      const { session, responder } = w.open();
      session.receive(taskFrame("run", [], { module }));
      await responder.closed;
      assert.deepEqual(responder.kinds(), ["ack", "result", "end"]);
      assert.equal(await Deno.readTextFile(path), "imported");
    });
  } finally {
    await removeParent(path);
  }
});

Deno.test("TaskSession whose module fails to import after acceptance nacks before any Ack and leaves the docket", async () => {
  const w = worker(() => false);
  const { session, responder } = w.open();
  session.receive(
    taskFrame("run", [], { module: `${TASKS}-missing-module.ts` }),
  );
  await responder.closed;
  assert.deepEqual(responder.kinds(), ["nack", "end"]);
  assert.deepEqual(w.asked, ["t-run"]);
  await w.docket.drained();
  assert.equal(w.docket.size, 0);
});

Deno.test("TaskSession refuses a task of another protocol version with FAILED_PRECONDITION before admission", async () => {
  const w = worker(() => false);
  const { session, responder } = w.open();
  session.receive(taskFrame("add", [1, 2], { protocolVersion: 999 }));
  await responder.closed;
  assert.deepEqual(responder.kinds(), ["fail FAILED_PRECONDITION"]);
  assert.deepEqual(w.asked, []);
});

Deno.test("TaskSession refuses a first frame that is not a Task with INVALID_ARGUMENT before admission", async () => {
  const w = worker(() => false);
  const { session, responder } = w.open();
  session.receive({ frame: "next", next: {} });
  await responder.closed;
  assert.deepEqual(responder.kinds(), ["fail INVALID_ARGUMENT"]);
  assert.deepEqual(w.asked, []);
});

Deno.test("TaskSession answers a caller that ends its side before any frame with INVALID_ARGUMENT, and takes no task after", async () => {
  const w = worker(() => false);
  const { session, responder } = w.open();
  responder.markCallerDone();
  session.clientEnded();
  await responder.closed;
  session.receive(taskFrame("add", [1, 2]));
  assert.deepEqual(responder.kinds(), ["fail INVALID_ARGUMENT"]);
  assert.deepEqual(w.asked, []);
  assert.equal(w.docket.size, 0);
});

Deno.test("TaskSession whose caller went away while the hook decided leaves the docket and never runs", async () => {
  const path = await tempFile();
  try {
    let answer!: (verdict: Verdict) => void;
    const asked = Promise.withResolvers<void>();
    const w = worker((ctx) => {
      if (ctx.task.id === "probe") return false;
      asked.resolve();
      return new Promise<Verdict>((resolve) => answer = resolve);
    });
    const { session, responder } = w.open();
    session.receive(taskFrame("mark", [path, "ran"]));
    await asked.promise;
    session.callerCancelled();
    answer(false);
    // The gate decides in arrival order: once the probe is in, the first
    // task was entered, and its session found its caller gone.
    const probe = { cancel() {}, docketSlot: -1 };
    const admitted = await w.gate.admit(
      { id: "probe", module: TASKS, export: "add", args: [] },
      probe,
    );
    assert.equal(admitted.accepted, true);
    w.docket.remove(probe);
    await w.docket.drained();
    assert.deepEqual(responder.answers, []);
    assert.equal(await exists(path), false);
  } finally {
    await removeParent(path);
  }
});

Deno.test("TaskSession keeps a generator in the docket until the caller returns it", async () => {
  const w = worker(() => false);
  const { session, responder } = w.open();
  session.receive(taskFrame("count", [3]));
  await responder.answered(1);
  assert.deepEqual(responder.answers[0], {
    send: { frame: "ack", ack: { generator: true } },
  });
  assert.equal(w.docket.size, 1);
  session.receive({ frame: "next", next: {} });
  await responder.answered(2);
  assert.equal(resultOf(responder.answers[1]), 0);
  assert.equal(w.docket.size, 1);
  session.receive({
    frame: "return",
    return: { value: encodeValue("early") },
  });
  await responder.closed;
  assert.deepEqual(responder.kinds(), ["ack", "result", "done", "end"]);
  assert.equal(w.docket.size, 0, "out of the docket as soon as Done is sent");
  const done = responder.answers[2];
  assert.ok("send" in done && done.send.frame === "done");
  assert.equal(decodeValue(done.send.done.value), "early");
});

Deno.test("TaskSession closes an open generator whose caller went away, and it leaves the docket", async () => {
  const w = worker(() => false);
  const { session, responder } = w.open();
  session.receive(taskFrame("count", [3]));
  await responder.answered(1);
  assert.equal(w.docket.size, 1);
  session.callerCancelled();
  await w.docket.drained();
  assert.equal(w.docket.size, 0);
  assert.deepEqual(responder.kinds(), ["ack"]);
});

/**
 * A responder that, like the Dispatch transport, reports its own failure
 * back to the session as the caller going away (grpc-js emits the status
 * it is given as an "error", which `WorkerService` takes for one).
 */
class EchoingResponder extends RecordingResponder {
  session: TaskSession | undefined;

  override fail(status: StatusFrame): void {
    super.fail(status);
    this.session?.callerCancelled();
  }
}

Deno.test("TaskSession cancelled by its worker aborts the running task with the worker's reason, though the failed stream reports back as the caller leaving", async () => {
  const w = worker(() => false);
  const responder = new EchoingResponder();
  const session = new TaskSession(w.deps, responder);
  responder.session = session;
  session.receive(taskFrame("holdSignal", ["stopping"]));
  await responder.answered(1);
  const reason = new DOMException(
    "The worker stopped; the task did not finish within 200 ms",
    "AbortError",
  );
  session.cancel(reason);
  assert.deepEqual(responder.kinds(), ["ack", "fail CANCELLED"]);
  assert.equal(heldSignals.get("stopping")?.reason, reason);
  await w.docket.drained();
});

Deno.test("TaskSession answers a frame out of turn while its coroutine runs with INVALID_ARGUMENT, and aborts the task naming it", async () => {
  const w = worker(() => false);
  const { session, responder } = w.open();
  session.receive(taskFrame("holdSignal", ["out-of-turn"]));
  await responder.answered(1);
  session.receive({ frame: "next", next: {} });
  await responder.closed;
  assert.deepEqual(responder.kinds(), ["ack", "fail INVALID_ARGUMENT"]);
  const signal = heldSignals.get("out-of-turn");
  assert.equal(signal?.aborted, true, "the routine was not told");
  assert.equal(signal.reason.name, "AbortError");
  assert.equal(
    signal.reason.message,
    'The worker ended the task\'s stream with INVALID_ARGUMENT: Unexpected "next" frame while the task is running',
  );
  await w.docket.drained();
  assert.equal(w.docket.size, 0);
});
