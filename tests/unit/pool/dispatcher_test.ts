import assert from "node:assert/strict";
import type { Task } from "../../../src/backpressure/types.ts";
import {
  type AttemptCause,
  NoWorkersAvailable,
} from "../../../src/loadbalancer/errors.ts";
import type {
  AttemptOutcome,
  LoadBalancer,
  RosterView,
  WorkerId,
} from "../../../src/loadbalancer/load_balancer.ts";
import { RoundRobinLoadBalancer } from "../../../src/loadbalancer/round_robin.ts";
import type { TaskChannel } from "../../../src/connection/task_channel.ts";
import {
  type DispatchCancel,
  Dispatcher,
  type Removal,
} from "../../../src/pool/dispatcher.ts";
import type { Lease } from "../../../src/pool/lease.ts";
import { WorkerCrashed } from "../../../src/pool/errors.ts";
import { Roster } from "../../../src/pool/roster.ts";
import { StatsBook } from "../../../src/pool/stats.ts";
import { startCallTelemetry } from "../../../src/telemetry/call_telemetry.ts";
import type { TaskFrame } from "../../../src/wire/frames.ts";
import { MessageTooLarge } from "../../../src/wire/message_too_large.ts";
import { ProtocolError } from "../../../src/wire/protocol_error.ts";
import {
  DELIVERY_UNKNOWN_METADATA_KEY,
  REJECTION_CAUSE_METADATA_KEY,
  Status,
} from "../../../src/wire/status.ts";
import {
  type Answer,
  answer,
  type FakeChannel,
  FakeConnection,
  fakeWorker,
  type FakeWorkerOptions,
  workerId,
  workerInfos,
} from "../../_helpers/fakes.ts";
import { OtelSdk } from "../../_helpers/otel_sdk.ts";
import { makeTaskFrame } from "../../_helpers/task_frame.ts";

const FRAME: TaskFrame = makeTaskFrame({ id: "t-1" });
const VIEW: Task = Object.freeze({
  id: "t-1",
  module: "file:///tasks.ts",
  export: "add",
  args: Object.freeze([]),
});

/** Offers a fixed list of ids, and records what the dispatcher tells it. */
class ScriptedBalancer implements LoadBalancer {
  readonly log: string[] = [];
  readonly #ids: () => Iterable<WorkerId>;

  constructor(ids: () => Iterable<WorkerId>) {
    this.#ids = ids;
  }

  *candidates(
    _task: Task,
    _view: RosterView,
  ): Generator<WorkerId, void, AttemptOutcome | undefined> {
    try {
      for (const id of this.#ids()) {
        const outcome = yield id;
        if (outcome) {
          this.log.push(
            `${outcome.workerId} ${outcome.code}${
              outcome.evicted ? " evicted" : ""
            }`,
          );
        }
      }
    } finally {
      this.log.push("finally");
    }
  }
}

interface SetUpOptions {
  /** Answers per worker, in order; each worker acks once they run out. */
  readonly answers?: readonly (readonly Answer[])[];
  readonly otherwise?: Answer;
  readonly workers?: number;
  readonly admissionWaitMs?: number;
  readonly loadBalancer?: LoadBalancer;
  readonly capacity?: number;
  readonly worker?: FakeWorkerOptions;
}

function setUp(options: SetUpOptions = {}) {
  const journal: string[] = [];
  const roster = new Roster();
  const stats = new StatsBook();
  const evictions: string[] = [];
  const refusals: string[] = [];
  const infos = workerInfos(options.workers ?? options.answers?.length ?? 3);
  const connections = infos.map((info, i) => {
    const connection = new FakeConnection(info.address, {
      answers: options.answers?.[i] ?? [],
      otherwise: options.otherwise,
      capacity: options.capacity,
      journal,
    });
    roster.add(fakeWorker(info.id, connection, {
      pid: info.pid,
      ...options.worker,
    }));
    stats.track(info.id, info.address);
    return connection;
  });
  const dispatcher = new Dispatcher({
    roster,
    loadBalancer: options.loadBalancer ?? new RoundRobinLoadBalancer(),
    stats,
    admissionWaitMs: options.admissionWaitMs ?? 0,
    evict: (id: WorkerId, cause: AttemptCause, reason: Removal) => {
      evictions.push(`${id} ${cause.code}: ${cause.message}`);
      roster.remove(id, reason);
    },
    refused: (id, cause) => refusals.push(`${id} ${cause}`),
  });
  const dispatch = (cancel?: DispatchCancel) =>
    dispatcher.dispatch(FRAME, VIEW, cancel);
  return {
    journal,
    roster,
    stats,
    evictions,
    refusals,
    connections,
    dispatcher,
    dispatch,
  };
}

/**
 * A call's cancellation as `CallRun` gives it: `abort` aborts the signal
 * and cancels the attempt in flight.
 */
class Cancel implements DispatchCancel {
  readonly #controller = new AbortController();
  attempt: TaskChannel | undefined;

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    this.#controller.abort(reason);
    this.attempt?.cancel();
  }
}

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

/** Lets settled promises run their callbacks. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function rejectedBy(reason: string): Answer {
  return answer.rejected(`Rejected by backpressure hook: ${reason}`);
}

Deno.test("Dispatcher.dispatch() resolves with the first worker that acks, holding its permit", async () => {
  const { dispatch, journal, stats, connections } = setUp();
  const accepted = await dispatch();
  assert.equal(accepted.worker.info.id, "w1");
  assert.equal(accepted.generator, false);
  assert.equal(accepted.channel, connections[0].channels[0]);
  assert.equal(connections[0].permits.available, 99);
  assert.deepStrictEqual(journal, [
    "127.0.0.1:5001 open",
    "127.0.0.1:5001 send task",
  ]);
  assert.deepStrictEqual(connections[0].channels[0].sent, [{
    frame: "task",
    task: FRAME,
  }]);
  assert.equal(stats.snapshot().workers[0].accepted, 1);
  accepted.release();
});

Deno.test("Dispatcher.dispatch() reports a generator from the Ack", async () => {
  const { dispatch } = setUp({ answers: [[answer.ack(true)]] });
  const accepted = await dispatch();
  assert.equal(accepted.generator, true);
  accepted.release();
});

Deno.test("Dispatcher.dispatch() ends the balancer's iteration once a worker accepts", async () => {
  const balancer = new ScriptedBalancer(() => workerInfos(3).map((i) => i.id));
  const { dispatch } = setUp({
    answers: [[rejectedBy("busy")], [answer.ack()], []],
    loadBalancer: balancer,
  });
  const accepted = await dispatch();
  assert.equal(accepted.worker.info.id, "w2");
  assert.deepStrictEqual(balancer.log, ["w1 RESOURCE_EXHAUSTED", "finally"]);
  accepted.release();
});

Deno.test("Dispatcher.dispatch() rejects with the Nack's error and tries no other worker", async () => {
  const { dispatch, journal, evictions, connections } = setUp({
    answers: [[answer.nack(new TypeError('No export "add"'))], [], []],
  });
  const error = await failure(dispatch());
  assert.ok(error instanceof TypeError);
  assert.equal(error.message, 'No export "add"');
  assert.deepStrictEqual(journal, [
    "127.0.0.1:5001 open",
    "127.0.0.1:5001 send task",
    "127.0.0.1:5001 cancel",
  ]);
  assert.deepStrictEqual(evictions, []);
  assert.equal(connections[0].permits.available, 100, "the permit came back");
});

Deno.test("Dispatcher.dispatch() moves past backpressure rejections to the next worker", async () => {
  const { dispatch, journal, stats, evictions } = setUp({
    answers: [[rejectedBy("busy")], [answer.ack()], []],
  });
  const accepted = await dispatch();
  assert.equal(accepted.worker.info.id, "w2");
  assert.deepStrictEqual(journal, [
    "127.0.0.1:5001 open",
    "127.0.0.1:5001 send task",
    "127.0.0.1:5002 open",
    "127.0.0.1:5002 send task",
  ]);
  assert.deepStrictEqual(evictions, []);
  const [w1, w2] = stats.snapshot().workers;
  assert.equal(w1.rejected.hook, 1);
  assert.equal(w2.accepted, 1);
  accepted.release();
});

Deno.test("Dispatcher.dispatch() fails with NoWorkersAvailable after one full cycle of rejections, one cause per worker", async () => {
  const balancer = new ScriptedBalancer(() => workerInfos(3).map((i) => i.id));
  const { dispatch, stats, evictions, connections } = setUp({
    otherwise: rejectedBy("busy"),
    loadBalancer: balancer,
  });
  const error = await failure(dispatch());
  assert.ok(error instanceof NoWorkersAvailable);
  assert.deepStrictEqual(error.causes, [
    {
      address: "127.0.0.1:5001",
      code: "RESOURCE_EXHAUSTED",
      message: "Rejected by backpressure hook: busy",
    },
    {
      address: "127.0.0.1:5002",
      code: "RESOURCE_EXHAUSTED",
      message: "Rejected by backpressure hook: busy",
    },
    {
      address: "127.0.0.1:5003",
      code: "RESOURCE_EXHAUSTED",
      message: "Rejected by backpressure hook: busy",
    },
  ]);
  assert.deepStrictEqual(balancer.log, [
    "w1 RESOURCE_EXHAUSTED",
    "w2 RESOURCE_EXHAUSTED",
    "w3 RESOURCE_EXHAUSTED",
    "finally",
  ]);
  assert.deepStrictEqual(evictions, []);
  assert.deepStrictEqual(
    connections.map((connection) => connection.channels.length),
    [1, 1, 1],
  );
  assert.deepStrictEqual(
    connections.map((connection) => connection.permits.available),
    [100, 100, 100],
  );
  assert.equal(stats.snapshot().exhausted, 1);
});

Deno.test("Dispatcher.dispatch() words a rejection from the hook's reason when the status has no details", async () => {
  const { dispatch } = setUp({
    workers: 1,
    otherwise: answer.rejectedWithReason("tenant over quota"),
  });
  const error = await failure(dispatch());
  assert.ok(error instanceof NoWorkersAvailable);
  assert.equal(
    error.causes[0].message,
    "Rejected by backpressure hook: tenant over quota",
  );
});

Deno.test("Dispatcher.dispatch() counts rejections by the cause the worker names, and tells refused() of each", async () => {
  const cause = (value: string) => ({
    [REJECTION_CAUSE_METADATA_KEY]: value,
  });
  const { dispatch, stats, refusals } = setUp({
    answers: [
      [answer.rejected("timed out", cause("hook-timeout"))],
      [answer.rejected("threw", cause("hook-error"))],
      [answer.status(Status.UNAVAILABLE, "stopping", cause("stopping"))],
      [answer.rejected("no cause")],
    ],
  });
  await failure(dispatch());
  const rejected = stats.snapshot().workers.map((worker) =>
    Object.entries(worker.rejected)
      .filter(([, count]) => count > 0)
      .map(([name]) => name)
      .join()
  );
  assert.deepStrictEqual(rejected, [
    "hook-timeout",
    "hook-error",
    "stopping",
    "hook",
  ]);
  assert.deepStrictEqual(refusals, [
    "w1 hook-timeout",
    "w2 hook-error",
    "w3 stopping",
    "w4 hook",
  ]);
});

Deno.test("Dispatcher.dispatch() fails with MessageTooLarge for RESOURCE_EXHAUSTED without the rejection mark, trying no other worker", async () => {
  const { dispatch, journal, stats, evictions } = setUp({
    answers: [
      [
        answer.status(
          Status.RESOURCE_EXHAUSTED,
          "Received message larger than max (70000000 vs. 67174400)",
        ),
      ],
      [],
      [],
    ],
  });
  const error = await failure(dispatch());
  assert.ok(error instanceof MessageTooLarge);
  assert.equal(error.size, 70000000);
  assert.equal(error.limit, 67174400);
  assert.ok(error.cause instanceof Error);
  assert.deepStrictEqual(journal.filter((entry) => entry.endsWith("open")), [
    "127.0.0.1:5001 open",
  ]);
  assert.deepStrictEqual(evictions, []);
  assert.equal(stats.snapshot().workers[0].rejected.hook, 0);
  assert.equal(stats.snapshot().exhausted, 0);
});

Deno.test("Dispatcher.dispatch() names an unmarked RESOURCE_EXHAUSTED without sizes as not a backpressure rejection", async () => {
  const { dispatch, journal } = setUp({
    answers: [[answer.status(Status.RESOURCE_EXHAUSTED, "quota")], [], []],
  });
  const error = await failure(dispatch());
  assert.ok(error instanceof ProtocolError, `got ${error}`);
  assert.equal(
    error.message,
    "The worker refused the task with RESOURCE_EXHAUSTED (not a backpressure rejection): quota",
  );
  assert.equal(journal.filter((entry) => entry.endsWith("open")).length, 1);
});

Deno.test("Dispatcher.dispatch() keeps a worker that is UNAVAILABLE or past its DEADLINE and tries the next", async () => {
  const balancer = new ScriptedBalancer(() => workerInfos(3).map((i) => i.id));
  const { dispatch, evictions, roster } = setUp({
    answers: [
      [answer.status(Status.UNAVAILABLE, "connection refused")],
      [answer.status(4, "deadline")],
      [answer.ack()],
    ],
    loadBalancer: balancer,
  });
  const accepted = await dispatch();
  assert.equal(accepted.worker.info.id, "w3");
  assert.deepStrictEqual(evictions, []);
  assert.deepStrictEqual(roster.view.ids, ["w1", "w2", "w3"]);
  assert.deepStrictEqual(balancer.log, [
    "w1 UNAVAILABLE",
    "w2 DEADLINE_EXCEEDED",
    "finally",
  ]);
  accepted.release();
});

Deno.test("Dispatcher.dispatch() evicts a worker that fails any other way and tries the next", async () => {
  const balancer = new ScriptedBalancer(() => workerInfos(4).map((i) => i.id));
  const { dispatch, evictions, roster } = setUp({
    answers: [
      [answer.status(12, "unimplemented")],
      [answer.status(Status.OK, "")],
      [[{
        kind: "frame",
        frame: { frame: "result", result: { value: new Uint8Array() } },
      }]],
      [answer.ack()],
    ],
    loadBalancer: balancer,
  });
  const accepted = await dispatch();
  assert.equal(accepted.worker.info.id, "w4");
  assert.deepStrictEqual(evictions, [
    "w1 UNIMPLEMENTED: unimplemented",
    "w2 INTERNAL: INTERNAL",
    'w3 INTERNAL: The worker answered a Task frame with "result" before any Ack',
  ]);
  assert.deepStrictEqual(balancer.log, [
    "w1 UNIMPLEMENTED evicted",
    "w2 INTERNAL evicted",
    "w3 INTERNAL evicted",
    "finally",
  ]);
  assert.deepStrictEqual(roster.view.ids, ["w4"]);
  accepted.release();
});

Deno.test('Dispatcher.dispatch() removes a worker that refuses the pool\'s credentials as "unauthenticated", naming it, and tries the next', async () => {
  const balancer = new ScriptedBalancer(() => workerInfos(2).map((i) => i.id));
  const { dispatch, evictions, roster } = setUp({
    answers: [[answer.status(Status.UNAUTHENTICATED, "Unauthenticated")], [
      answer.ack(),
    ]],
    loadBalancer: balancer,
  });
  const left: string[] = [];
  roster.subscribe((change) => {
    if (change.type === "left") {
      left.push(`${change.worker.id} ${change.reason}`);
    }
  });
  const accepted = await dispatch();
  assert.equal(accepted.worker.info.id, "w2");
  assert.deepStrictEqual(left, ["w1 unauthenticated"]);
  assert.equal(evictions.length, 1);
  assert.match(
    evictions[0],
    /^w1 UNAUTHENTICATED: Worker w1 refused the pool's credentials \(UNAUTHENTICATED\)/,
  );
  assert.deepStrictEqual(balancer.log, [
    "w1 UNAUTHENTICATED evicted",
    "finally",
  ]);
  accepted.release();
});

Deno.test("Dispatcher.dispatch() fails with WorkerCrashed, trying no other worker, when the task may have reached a worker that broke", async () => {
  const { dispatch, journal, evictions } = setUp({
    answers: [
      [answer.status(Status.UNAVAILABLE, "reset", {
        [DELIVERY_UNKNOWN_METADATA_KEY]: "1",
      })],
      [],
      [],
    ],
    worker: { exit: { code: 1, signal: null } },
  });
  const error = await failure(dispatch());
  assert.ok(error instanceof WorkerCrashed);
  assert.equal(error.workerId, "w1");
  assert.equal(error.exitCode, 1);
  assert.equal(journal.filter((entry) => entry.endsWith("open")).length, 1);
  assert.deepStrictEqual(evictions, []);
});

Deno.test("Dispatcher.dispatch() skips ids the roster no longer has", async () => {
  const balancer = new ScriptedBalancer(
    () => [workerId("gone"), workerId("w2"), workerId("w1")],
  );
  const { dispatch, journal } = setUp({
    answers: [[], [rejectedBy("busy")]],
    loadBalancer: balancer,
  });
  const accepted = await dispatch();
  assert.equal(accepted.worker.info.id, "w1");
  assert.deepStrictEqual(journal.filter((entry) => entry.endsWith("open")), [
    "127.0.0.1:5002 open",
    "127.0.0.1:5001 open",
  ]);
  accepted.release();
});

Deno.test("Dispatcher.dispatch() stops after one cycle when a balancer offers the same worker forever", async () => {
  const balancer = new ScriptedBalancer(function* () {
    while (true) yield workerId("w1");
  });
  const { dispatch, connections } = setUp({
    otherwise: rejectedBy("busy"),
    loadBalancer: balancer,
  });
  const error = await failure(dispatch());
  assert.ok(error instanceof NoWorkersAvailable);
  assert.equal(error.causes.length, 1);
  assert.equal(connections[0].channels.length, 1);
  assert.deepStrictEqual(balancer.log, ["w1 RESOURCE_EXHAUSTED", "finally"]);
});

Deno.test("Dispatcher.dispatch() stops after one cycle when a balancer offers a departed worker forever", async () => {
  const balancer = new ScriptedBalancer(function* () {
    while (true) yield workerId("gone");
  });
  const { dispatch, journal } = setUp({ loadBalancer: balancer });
  const error = await failure(dispatch());
  assert.ok(error instanceof NoWorkersAvailable);
  assert.deepStrictEqual(error.causes, []);
  assert.deepStrictEqual(journal, []);
});

Deno.test("Dispatcher.dispatch() fails with NoWorkersAvailable at once when the roster is empty", async () => {
  const { dispatch, stats } = setUp({ workers: 0 });
  const error = await failure(dispatch());
  assert.ok(error instanceof NoWorkersAvailable);
  assert.equal(
    error.message,
    "No workers available: the pool has no live worker",
  );
  assert.equal(stats.snapshot().exhausted, 1);
});

Deno.test("Dispatcher.dispatch() takes a worker whose connection just closed as UNAVAILABLE", async () => {
  const { dispatch, roster, evictions } = setUp({ workers: 2 });
  const closed = roster.get(workerId("w1"))!.connection as FakeConnection;
  closed.open = () => {
    throw new Error("The connection is closed");
  };
  const accepted = await dispatch();
  assert.equal(accepted.worker.info.id, "w2");
  assert.equal(closed.permits.available, 100);
  assert.deepStrictEqual(evictions, []);
  accepted.release();
});

Deno.test("Dispatcher.dispatch() names the attempt in flight to its cancel, and rejects with the signal's reason when the call is cancelled during it", async () => {
  const { dispatch, connections, journal } = setUp({
    answers: [[answer.hold]],
  });
  const cancel = new Cancel();
  const pending = dispatch(cancel);
  await connections[0].opened(1);
  assert.equal(cancel.attempt, connections[0].channels[0]);
  cancel.abort("caller gave up");
  assert.equal(await failure(pending), "caller gave up");
  assert.equal(cancel.attempt, undefined);
  assert.deepStrictEqual(journal, [
    "127.0.0.1:5001 open",
    "127.0.0.1:5001 send task",
    "127.0.0.1:5001 cancel",
  ]);
  assert.equal(connections[0].permits.available, 100);
});

Deno.test("Dispatcher.dispatch() waits for a permit of a full connection, and gives up with the signal", async () => {
  const { dispatch, connections, journal } = setUp({ workers: 1, capacity: 1 });
  const held = connections[0].permits.tryAcquire()!;
  const cancel = new Cancel();
  const pending = dispatch(cancel);
  await settle();
  assert.deepStrictEqual(journal, [], "nothing is sent without a permit");
  cancel.abort("no permit in time");
  assert.equal(await failure(pending), "no permit in time");
  held.release();
  const accepted = await dispatch();
  assert.equal(accepted.worker.info.id, "w1");
  accepted.release();
});

Deno.test("Dispatcher.dispatch() with admissionWaitMs retries waiting calls in arrival order", async () => {
  // Given one worker that accepts call C, rejects the first attempt of
  // calls A and B, and holds A's retry: B waits behind A, and the slot C
  // frees does not let B pass A; once A is accepted, B tries.
  const { dispatch, connections, stats } = setUp({
    answers: [[
      answer.ack(),
      rejectedBy("busy"),
      rejectedBy("busy"),
      answer.hold,
    ]],
    admissionWaitMs: 60_000,
  });
  const [worker] = connections;
  const c = await dispatch();
  const order: string[] = [];
  const record = (label: string) => (lease: Lease) => {
    order.push(
      `${label} on channel ${
        worker.channels.indexOf(lease.channel as FakeChannel) + 1
      }`,
    );
    lease.release();
  };
  const a = dispatch().then(record("A"));
  const b = dispatch().then(record("B"));
  await worker.opened(4);
  c.release();
  await settle();
  assert.equal(worker.channels.length, 4, "B waits while A retries");
  worker.channels[3].deliver(answer.ack());
  await Promise.all([a, b]);
  assert.deepStrictEqual(order, ["A on channel 4", "B on channel 5"]);
  assert.equal(stats.snapshot().waited, 2);
  assert.equal(stats.snapshot().exhausted, 0);
});

Deno.test("Dispatcher's lease, released, gives the permit back and wakes the call waiting for capacity at once", async () => {
  const { dispatch, connections } = setUp({
    answers: [[answer.ack(), rejectedBy("busy")]],
    admissionWaitMs: 60_000,
  });
  const [worker] = connections;
  const held = await dispatch();
  assert.equal(worker.permits.available, 99);
  const waiting = dispatch();
  await settle();
  assert.equal(worker.channels.length, 2, "rejected once, now waiting");
  held.release();
  held.release();
  assert.equal(worker.permits.available, 100, "the permit came back, once");
  assert.equal(worker.channels[0].cancels, 1);
  // Only microtasks ran: the waiting call tried on the wake-up, not on a
  // backoff timer.
  await settle();
  assert.equal(worker.channels.length, 3, "the waiting call tried again");
  (await waiting).release();
});

Deno.test("Dispatcher.dispatch() with admissionWaitMs rejects a waiting call with its signal's reason", async () => {
  const { dispatch, connections, stats } = setUp({
    answers: [[rejectedBy("busy"), rejectedBy("busy"), answer.hold]],
    admissionWaitMs: 60_000,
  });
  const [worker] = connections;
  const a = dispatch();
  const cancel = new Cancel();
  const b = dispatch(cancel);
  await worker.opened(3);
  cancel.abort(new DOMException("caller left", "AbortError"));
  const error = await failure(b);
  assert.ok(error instanceof DOMException && error.message === "caller left");
  worker.channels[2].deliver(answer.ack());
  (await a).release();
  assert.equal(worker.channels.length, 3, "B never tried again");
  assert.equal(stats.snapshot().exhausted, 0);
});

Deno.test("Dispatcher.dispatch() with admissionWaitMs fails with NoWorkersAvailable once the wait is over", async () => {
  const { dispatch, connections, stats } = setUp({
    workers: 1,
    otherwise: rejectedBy("busy"),
    admissionWaitMs: 1,
  });
  const error = await failure(dispatch());
  assert.ok(error instanceof NoWorkersAvailable);
  assert.equal(error.causes.length, 1);
  assert.ok(
    connections[0].channels.length >= 2,
    "it tried again before failing",
  );
  assert.equal(stats.snapshot().waited, 1);
  assert.equal(stats.snapshot().exhausted, 1);
});

Deno.test("Dispatcher.dispatch() sends the call's own frame when nothing traces it, and each attempt's trace context when the SDK does", async (t) => {
  await t.step("untraced: the frame itself, trace fields empty", async () => {
    const { dispatcher, connections } = setUp({
      answers: [[rejectedBy("busy")], [answer.ack()]],
    });
    const accepted = await dispatcher.dispatch(
      FRAME,
      VIEW,
      undefined,
      startCallTelemetry(VIEW),
    );
    for (const connection of connections) {
      const [sent] = connection.channels[0].sent;
      assert.equal(sent.frame === "task" && sent.task, FRAME);
    }
    accepted.release();
  });

  await t.step(
    "traced: a copy per attempt, naming that attempt's span",
    async () => {
      await using sdk = OtelSdk.register({ metrics: false });
      const { dispatcher, connections } = setUp({
        answers: [[rejectedBy("busy")], [answer.ack()]],
      });
      const telemetry = startCallTelemetry(VIEW);
      const accepted = await dispatcher.dispatch(
        FRAME,
        VIEW,
        undefined,
        telemetry,
      );
      telemetry.end("ok");
      const attempts = sdk.spans().filter((span) =>
        span.name === "wool.attempt"
      );
      assert.equal(attempts.length, 2);
      for (const [i, connection] of connections.entries()) {
        const [sent] = connection.channels[0].sent;
        assert.ok(sent.frame === "task");
        const { traceId, spanId } = attempts[i].spanContext();
        assert.equal(sent.task.traceparent, `00-${traceId}-${spanId}-01`);
        assert.equal(sent.task.id, FRAME.id);
      }
      assert.equal(FRAME.traceparent, "", "the call's frame is left as it was");
      accepted.release();
    },
  );
});
