/**
 * WorkerService admission control, served in process by a real grpc-js
 * server on 127.0.0.1:0 and driven by a raw grpc-js client over both RPCs
 * that carry tasks (`Dispatch`: a stream per task; `Session`: tasks
 * multiplexed on one stream).
 *
 * The seed PR's test table, row by row (rows the worker service cannot
 * observe are covered elsewhere, as noted):
 *
 * | #  | seed case                               | here                                                     |
 * | -- | --------------------------------------- | -------------------------------------------------------- |
 * | 1  | context stores count and task           | "gives the hook a frozen context of the task and count"  |
 * | 2  | context is frozen                       | same test: `Object.isFrozen`, strict-mode writes throw   |
 * | 3  | equal contexts compare equal            | "contexts of the same task and count are deep-equal"     |
 * | 4  | different count compares unequal        | same test, with a task running                           |
 * | 5  | any count (Hypothesis)                  | tests/property/admission_gate_test.ts                    |
 * | 6  | sync function is a hook                 | "takes any callable as its hook"                         |
 * | 7  | async function is a hook                | same test                                                |
 * | 8  | callable class instance is a hook       | same test (a bound method of a class instance)           |
 * | 9  | a plain string is not a hook            | tests/integration/admission_startup_test.ts (start-up)   |
 * | 10 | service built with a hook               | "built with a hook starts idle and accepts"              |
 * | 11 | sync hook answering false accepts       | "accepts or rejects as a sync or async hook answers"     |
 * | 12 | sync hook answering true rejects        | same test                                                |
 * | 13 | async hook answering true rejects       | same test                                                |
 * | 14 | async hook answering false accepts      | same test                                                |
 * | 15 | hook receives the context's fields      | row 1's test                                             |
 * | 16 | one task active: hook sees count 1      | "shows the hook a running task in activeTaskCount"       |
 * | 17 | a worker built with a hook              | tests/integration/admission_hook_test.ts (WorkerPool)    |
 *
 * @module
 */
import assert from "node:assert/strict";
import { grpc } from "../../../src/wire/grpc.ts";
import type {
  BackpressureContext,
  BackpressureHook,
  Verdict,
} from "../../../src/backpressure/types.ts";
import type {
  RequestFrame,
  ResponseFrame,
  SessionRequests,
  SessionResponses,
  TaskFrame,
} from "../../../src/wire/frames.ts";
import { loadWorkerService } from "../../../src/wire/proto.ts";
import { decodeValue, encodeArgs } from "../../../src/wire/values.ts";
import { WorkerService } from "../../../src/worker/worker_service.ts";
import { Gate } from "../../_helpers/gate.ts";
import { arrived } from "../../_helpers/admission.ts";
import { makeTaskFrame } from "../../_helpers/task_frame.ts";
import { bindLoopback } from "../../_helpers/loopback_server.ts";

const TASKS = new URL("../../_fixtures/tasks.ts", import.meta.url).href;
const TRANSPORTS = ["dispatch", "session"] as const;
type Transport = typeof TRANSPORTS[number];

/** How one task ended, as the caller saw it. */
interface Outcome {
  /** The kinds of the response frames, in order. */
  readonly frames: string[];
  /** The decoded value of the first Result frame, if any. */
  readonly result?: unknown;
  /** The task's status: gRPC code name, details and metadata. */
  readonly code: string;
  readonly details: string;
  readonly metadata: Record<string, string>;
}

/** A WorkerService served in process, with a raw client. */
class Served implements AsyncDisposable {
  readonly service: WorkerService;
  readonly #server: grpc.Server;
  readonly #client: grpc.Client;
  readonly #definition: grpc.ServiceDefinition;

  private constructor(
    service: WorkerService,
    server: grpc.Server,
    client: grpc.Client,
    definition: grpc.ServiceDefinition,
  ) {
    this.service = service;
    this.#server = server;
    this.#client = client;
    this.#definition = definition;
  }

  static async start(
    hook: BackpressureHook | null,
    backpressureTimeoutMs = 60_000,
  ): Promise<Served> {
    const definition = await loadWorkerService();
    const service = new WorkerService({
      hook,
      backpressureTimeoutMs,
      maxMessageBytes: 1 << 20,
      maxTasksPerSession: 100,
      profile: () => ({ id: "w1", address: "127.0.0.1:1", tags: [] }),
    });
    const server = new grpc.Server();
    server.addService(definition, service.handlers());
    const client = new grpc.Client(
      await bindLoopback(server),
      grpc.credentials.createInsecure(),
    );
    return new Served(service, server, client, definition);
  }

  /** Runs one task to its end over `transport`. */
  run(transport: Transport, task: TaskFrame): Promise<Outcome> {
    return transport === "dispatch"
      ? this.#runDispatch(task)
      : this.#runSession(task);
  }

  /** Seconds since the service's docket last emptied (the `Idle` RPC). */
  idle(): Promise<number> {
    const method = this.#definition.Idle as grpc.MethodDefinition<
      unknown,
      { seconds?: number }
    >;
    return new Promise((resolve, reject) =>
      this.#client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        {},
        (error, reply) => error ? reject(error) : resolve(reply?.seconds ?? 0),
      )
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#client.close();
    await new Promise<void>((resolve) =>
      this.#server.tryShutdown(() => resolve())
    );
  }

  #runDispatch(task: TaskFrame): Promise<Outcome> {
    const method = this.#definition.Dispatch as grpc.MethodDefinition<
      RequestFrame,
      ResponseFrame
    >;
    const call = this.#client.makeBidiStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
    );
    const frames: ResponseFrame[] = [];
    call.on("data", (frame: ResponseFrame) => frames.push(frame));
    call.on("error", () => {});
    const ended = new Promise<Outcome>((resolve) =>
      call.on("status", (status: grpc.StatusObject) => {
        resolve(outcome(frames, status.code, status.details, status.metadata));
      })
    );
    call.write({ frame: "task", task });
    call.end();
    return ended;
  }

  #runSession(task: TaskFrame): Promise<Outcome> {
    const method = this.#definition.Session as grpc.MethodDefinition<
      SessionRequests,
      SessionResponses
    >;
    const call = this.#client.makeBidiStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
    );
    const frames: ResponseFrame[] = [];
    call.on("error", () => {});
    const closed = new Promise<void>((resolve) =>
      call.on("status", () => resolve())
    );
    const ended = new Promise<Outcome>((resolve) =>
      call.on("data", (batch: SessionResponses) => {
        for (const message of batch.frames ?? []) {
          if (message.frame === "status") {
            const { code, details, metadata } = message.status;
            resolve(outcome(frames, code, details, metadata ?? {}));
            return;
          }
          if (message.frame !== "response") continue;
          frames.push(message.response);
          const kind = message.response.frame;
          if (kind === "result" || kind === "exception" || kind === "nack") {
            resolve(outcome(frames, grpc.status.OK, "", {}));
          }
        }
      })
    );
    call.write({
      frames: [{
        stream: 1,
        frame: "request",
        request: { frame: "task", task },
      }],
    });
    return ended.then(async (result) => {
      call.end();
      await closed;
      return result;
    });
  }
}

function outcome(
  frames: ResponseFrame[],
  code: number,
  details: string,
  metadata: grpc.Metadata | Record<string, string>,
): Outcome {
  const map: Record<string, string> = {};
  const entries = metadata instanceof grpc.Metadata
    ? Object.entries(metadata.getMap())
    : Object.entries(metadata);
  for (const [key, value] of entries) {
    if (key.startsWith("wool-") && typeof value === "string") {
      map[key] = decodeURIComponent(value);
    }
  }
  delete map["wool-origin"];
  const first = frames.find((frame) => frame.frame === "result");
  return {
    frames: frames.map((frame) => frame.frame ?? "none"),
    ...(first && first.frame === "result"
      ? { result: decodeValue(first.result.value) }
      : {}),
    code: grpc.status[code],
    details: code === grpc.status.OK ? "" : details,
    metadata: map,
  };
}

function task(
  exportName: string,
  args: unknown[],
  extra: Partial<TaskFrame> = {},
): TaskFrame {
  return makeTaskFrame({
    id: "t-1",
    module: TASKS,
    export: exportName,
    args: encodeArgs(args),
    ...extra,
  });
}

const ACCEPTED: Outcome = {
  frames: ["ack", "result"],
  result: 3,
  code: "OK",
  details: "",
  metadata: {},
};

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerService built with a hook starts idle and accepts (${transport})`, async () => {
    let asked = 0;
    await using served = await Served.start(() => {
      asked++;
      return false;
    });
    assert.equal(served.service.docket.size, 0);
    assert.ok(await served.idle() >= 0);
    assert.deepEqual(
      await served.run(transport, task("add", [1, 2])),
      ACCEPTED,
    );
    assert.equal(asked, 1);
  });

  Deno.test(`WorkerService accepts or rejects as a sync or async hook answers (${transport})`, async (t) => {
    const rows: {
      name: string;
      hook: BackpressureHook;
      accepted: boolean;
    }[] = [
      { name: "sync false accepts", hook: () => false, accepted: true },
      { name: "sync true rejects", hook: () => true, accepted: false },
      {
        name: "async true rejects",
        hook: async () => await Promise.resolve(true),
        accepted: false,
      },
      {
        name: "async false accepts",
        hook: async () => await Promise.resolve(false),
        accepted: true,
      },
      {
        name: "sync { reject: false } accepts",
        hook: () => ({ reject: false }),
        accepted: true,
      },
    ];
    for (const row of rows) {
      await t.step(row.name, async () => {
        await using served = await Served.start(row.hook);
        const ended = await served.run(transport, task("add", [1, 2]));
        if (row.accepted) {
          assert.deepEqual(ended, ACCEPTED);
        } else {
          assert.deepEqual(ended, {
            frames: [],
            code: "RESOURCE_EXHAUSTED",
            details: "Rejected by backpressure hook",
            metadata: {
              "wool-rejected": "backpressure",
              "wool-rejected-cause": "hook",
            },
          });
        }
        assert.equal(served.service.docket.size, 0);
      });
    }
  });

  Deno.test(`WorkerService sends the hook's reason with its rejection (${transport})`, async () => {
    await using served = await Served.start(() => ({
      reject: true,
      reason: "queue full: 9/8 ünïcode",
    }));
    assert.deepEqual(await served.run(transport, task("add", [1, 2])), {
      frames: [],
      code: "RESOURCE_EXHAUSTED",
      details: "Rejected by backpressure hook: queue full: 9/8 ünïcode",
      metadata: {
        "wool-rejected": "backpressure",
        "wool-rejected-cause": "hook",
        "wool-reason": "queue full: 9/8 ünïcode",
      },
    });
  });

  Deno.test(`WorkerService gives the hook a frozen context of the task and count (${transport})`, async () => {
    const seen: BackpressureContext[] = [];
    await using served = await Served.start((ctx) => {
      seen.push(ctx);
      return true;
    });
    const args = [1, "two", new Map([["k", 3n]]), new Date(0)];
    await served.run(
      transport,
      task("add", args, {
        id: "t-42",
        tag: "heavy",
        caller: "t-41",
        timeoutMs: 2500,
      }),
    );
    const [ctx] = seen;
    assert.deepEqual(ctx, {
      activeTaskCount: 0,
      task: {
        id: "t-42",
        module: TASKS,
        export: "add",
        args,
        tag: "heavy",
        caller: "t-41",
        timeoutMs: 2500,
      },
    });
    assert.ok(ctx.task.args[2] instanceof Map);
    assert.ok(Object.isFrozen(ctx));
    assert.ok(Object.isFrozen(ctx.task));
    assert.ok(Object.isFrozen(ctx.task.args));
    assert.throws(() => {
      (ctx as { activeTaskCount: number }).activeTaskCount = 5;
    }, TypeError);
    assert.throws(() => {
      (ctx.task as { id: string }).id = "other";
    }, TypeError);
    assert.throws(() => (ctx.task.args as unknown[]).pop(), TypeError);
  });

  Deno.test(`WorkerService gives the hook no tag, caller or timeoutMs when the task has none (${transport})`, async () => {
    const seen: BackpressureContext[] = [];
    await using served = await Served.start((ctx) => {
      seen.push(ctx);
      return false;
    });
    await served.run(transport, task("add", [1, 2]));
    assert.deepEqual(Object.keys(seen[0].task).sort(), [
      "args",
      "export",
      "id",
      "module",
    ]);
  });

  Deno.test(`WorkerService contexts of the same task and count are deep-equal, of another count are not (${transport})`, async () => {
    await using gate = Gate.open();
    const seen: BackpressureContext[] = [];
    await using served = await Served.start((ctx) => {
      seen.push(ctx);
      return ctx.task.export !== "waitAtGate";
    });
    await served.run(transport, task("add", [1, 2]));
    await served.run(transport, task("add", [1, 2]));
    const held = served.run(transport, task("waitAtGate", [gate.port, 1]));
    await arrived(gate, 1, [held]);
    await served.run(transport, task("add", [1, 2]));
    await gate.release();
    await held;
    assert.notEqual(seen[0], seen[1]);
    assert.deepEqual(seen[0], seen[1]);
    assert.equal(seen[3].activeTaskCount, 1);
    assert.notDeepEqual(seen[0], seen[3]);
  });

  Deno.test(`WorkerService takes any callable as its hook: function, async function, bound method (${transport})`, async (t) => {
    class Limiter {
      readonly limit: number;
      calls = 0;
      constructor(limit: number) {
        this.limit = limit;
      }
      decide(ctx: BackpressureContext): Verdict {
        this.calls++;
        return ctx.activeTaskCount >= this.limit;
      }
    }
    const limiter = new Limiter(0);
    const hooks: [string, BackpressureHook, () => number][] = [];
    let plain = 0;
    hooks.push(["function", function reject() {
      plain++;
      return true;
    }, () => plain]);
    let asyncCalls = 0;
    hooks.push(["async function", async function reject() {
      asyncCalls++;
      return await Promise.resolve(true);
    }, () => asyncCalls]);
    hooks.push([
      "bound method of a class instance",
      limiter.decide.bind(limiter),
      () => limiter.calls,
    ]);
    for (const [name, hook, calls] of hooks) {
      await t.step(name, async () => {
        await using served = await Served.start(hook);
        const ended = await served.run(transport, task("add", [1, 2]));
        assert.equal(ended.code, "RESOURCE_EXHAUSTED");
        assert.equal(calls(), 1);
      });
    }
  });

  Deno.test(`WorkerService shows the hook a running task in activeTaskCount (${transport})`, async () => {
    await using gate = Gate.open();
    const counts: number[] = [];
    await using served = await Served.start((ctx) => {
      counts.push(ctx.activeTaskCount);
      return false;
    });
    const held = served.run(transport, task("waitAtGate", [gate.port, "held"]));
    await arrived(gate, 1, [held]);
    assert.deepEqual(
      await served.run(transport, task("add", [1, 2])),
      ACCEPTED,
    );
    await gate.release();
    assert.equal((await held).result, "held");
    assert.deepEqual(counts, [0, 1]);
  });

  Deno.test(`WorkerService leaves a rejected task out of the docket and the idle clock (${transport})`, async () => {
    await using served = await Served.start(() => true);
    const { docket } = served.service;
    const touched: string[] = [];
    const add = docket.add.bind(docket);
    const remove = docket.remove.bind(docket);
    docket.add = (entry) => (touched.push("add"), add(entry));
    docket.remove = (entry) => (touched.push("remove"), remove(entry));
    const before = await served.idle();
    for (let i = 0; i < 5; i++) {
      const ended = await served.run(transport, task("add", [i, i]));
      assert.equal(ended.code, "RESOURCE_EXHAUSTED");
    }
    const after = await served.idle();
    assert.deepEqual(touched, []);
    assert.equal(docket.size, 0);
    assert.ok(after >= before, `idle went back from ${before} s to ${after} s`);
  });

  Deno.test(`WorkerService counts a hook that throws, rejects or hangs as a rejection naming the cause, and keeps serving (${transport})`, async () => {
    await using served = await Served.start((ctx) => {
      switch (ctx.task.tag) {
        case "throw":
          throw new TypeError("boom");
        case "reject":
          return Promise.reject(new RangeError("async boom"));
        case "hang":
          return new Promise<Verdict>(() => {});
        default:
          return false;
      }
    }, 30);
    const cases: [string, string, string][] = [
      ["throw", "hook-error", "Backpressure hook threw: TypeError: boom"],
      [
        "reject",
        "hook-error",
        "Backpressure hook threw: RangeError: async boom",
      ],
      ["hang", "hook-timeout", "Backpressure hook did not answer within 30 ms"],
    ];
    for (const [tag, cause, details] of cases) {
      assert.deepEqual(
        await served.run(transport, task("add", [1, 2], { tag })),
        {
          frames: [],
          code: "RESOURCE_EXHAUSTED",
          details,
          metadata: {
            "wool-rejected": "backpressure",
            "wool-rejected-cause": cause,
          },
        },
      );
      assert.deepEqual(
        await served.run(transport, task("add", [1, 2])),
        ACCEPTED,
      );
    }
  });

  Deno.test(`WorkerService.stop() makes every later task fail with UNAVAILABLE, cause stopping (${transport})`, async () => {
    let asked = 0;
    await using served = await Served.start(() => {
      asked++;
      return false;
    });
    await served.service.stop(0);
    assert.deepEqual(await served.run(transport, task("add", [1, 2])), {
      frames: [],
      code: "UNAVAILABLE",
      details: "Worker is stopping and admits no new task",
      metadata: { "wool-rejected-cause": "stopping" },
    });
    assert.equal(asked, 0);
  });
}
