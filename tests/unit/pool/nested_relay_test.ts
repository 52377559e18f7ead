/**
 * The caller's side of nested calls: each Call frame of a task becomes a
 * call of the pool, relayed back as CallReply frames on the parent's
 * channel; the parent's end, or the task's Cancel, aborts the child.
 *
 * @module
 */
import assert from "node:assert/strict";
import type {
  ChannelEvent,
  TaskChannel,
} from "../../../src/connection/task_channel.ts";
import { CallRun } from "../../../src/pool/call_run.ts";
import { Lease } from "../../../src/pool/lease.ts";
import { NestedRelay } from "../../../src/pool/nested_relay.ts";
import { CallDepthExceeded } from "../../../src/wire/call_depth_exceeded.ts";
import { decodeError } from "../../../src/wire/errors.ts";
import type {
  Call,
  RequestFrame,
  ResponseFrame,
  TaskFrame,
} from "../../../src/wire/frames.ts";
import { Status } from "../../../src/wire/status.ts";
import { decodeValue, encodeValue } from "../../../src/wire/values.ts";
import {
  type FakeChannel,
  FakeConnection,
  fakeWorker,
} from "../../_helpers/fakes.ts";
import { makeTaskFrame } from "../../_helpers/task_frame.ts";

const TASK: TaskFrame = makeTaskFrame();

const open = (id: number): Call => ({
  id,
  frame: "request",
  request: { frame: "task", task: TASK },
});

/** The parent's channel: what the relay replies, as `<id> <kind>`, in order. */
class ParentChannel implements TaskChannel {
  readonly replies: { id: number; frame: ResponseFrame | string }[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];

  send(frame: RequestFrame): void {
    assert.equal(frame.frame, "callReply");
    if (frame.frame !== "callReply") return;
    const reply = frame.callReply;
    this.replies.push({
      id: Number(reply.id),
      frame: reply.frame === "response"
        ? reply.response
        : `status ${reply.frame === "status" ? reply.status.code : "?"}`,
    });
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.replies.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }

  receive(): Promise<ChannelEvent> {
    return new Promise(() => {});
  }

  cancel(): void {}

  /** Resolves once `count` replies in all were sent. */
  replied(count: number): Promise<void> {
    if (this.replies.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  kinds(): string[] {
    return this.replies.map(({ id, frame }) =>
      `${id} ${typeof frame === "string" ? frame : frame.frame}`
    );
  }
}

/** A child run whose worker accepts it on a held fake channel. */
function childOn(connection: FakeConnection): {
  run: CallRun;
  channel: Promise<FakeChannel>;
} {
  let channelOf!: (channel: FakeChannel) => void;
  const channel = new Promise<FakeChannel>((resolve) => channelOf = resolve);
  const run = new CallRun({
    dispatch: () => {
      const opened = connection.open() as FakeChannel;
      channelOf(opened);
      return Promise.resolve(
        new Lease({
          worker: fakeWorker("w1", connection),
          channel: opened,
          generator: false,
          permit: connection.permits.tryAcquire()!,
          onRelease: () => {},
        }),
      );
    },
    onEnd: () => {},
  });
  return { run, channel };
}

Deno.test("NestedRelay starts a child per Call and relays its Ack and Result to the parent, by the call's id", async () => {
  const parent = new ParentChannel();
  const connection = new FakeConnection("w1", { otherwise: "hold" });
  const started: TaskFrame[] = [];
  let child!: ReturnType<typeof childOn>;
  const relay = new NestedRelay(parent, (task) => {
    started.push(task);
    child = childOn(connection);
    return child.run;
  }, 1024);
  relay.call(open(5));
  assert.deepStrictEqual(started, [TASK]);
  await parent.replied(1);
  (await child.channel).deliver([{
    kind: "frame",
    frame: { frame: "result", result: { value: encodeValue(42) } },
  }, { kind: "end", status: { code: Status.OK, details: "", metadata: {} } }]);
  await parent.replied(2);
  assert.deepStrictEqual(parent.kinds(), ["5 ack", "5 result"]);
  const result = parent.replies[1].frame as ResponseFrame;
  assert.equal(
    result.frame === "result" && decodeValue(result.result.value),
    42,
  );
  await child.run.accepted;
  assert.ok(child.run.ended);
  assert.equal(relay.size, 0);
});

Deno.test("NestedRelay answers a call that cannot start with a Nack carrying why (too deep, no worker)", async () => {
  const parent = new ParentChannel();
  const relay = new NestedRelay(parent, () => {
    throw new CallDepthExceeded(17, 16);
  }, 1024);
  relay.call(open(1));
  const failing = new NestedRelay(parent, () =>
    new CallRun({
      dispatch: () => Promise.reject(new RangeError("no worker took it")),
      onEnd: () => {},
    }), 1024);
  failing.call(open(2));
  await parent.replied(2);
  assert.deepStrictEqual(parent.kinds(), ["1 nack", "2 nack"]);
  const errors = parent.replies.map(({ frame }) =>
    decodeError((frame as { nack: { error: Uint8Array } }).nack.error)
  );
  assert.ok(errors[0] instanceof CallDepthExceeded);
  assert.ok(errors[1] instanceof RangeError);
});

Deno.test("NestedRelay aborts every running child when the parent ends, and takes no Call after", async () => {
  const parent = new ParentChannel();
  const connection = new FakeConnection("w1", { otherwise: "hold" });
  const children: ReturnType<typeof childOn>[] = [];
  const relay = new NestedRelay(parent, () => {
    const child = childOn(connection);
    children.push(child);
    return child.run;
  }, 1024);
  relay.call(open(1));
  relay.call(open(2));
  await parent.replied(2);
  relay.parentEnded();
  for (const child of children) {
    assert.equal(child.run.signal.aborted, true);
    assert.ok(
      (await child.channel).cancels > 0,
      "the child's task was cancelled",
    );
  }
  relay.call(open(3));
  assert.equal(children.length, 2);
});

Deno.test("NestedRelay aborts the child the task cancels, and refuses an id already open with a status", async () => {
  const parent = new ParentChannel();
  const connection = new FakeConnection("w1", { otherwise: "hold" });
  const children: ReturnType<typeof childOn>[] = [];
  const relay = new NestedRelay(parent, () => {
    const child = childOn(connection);
    children.push(child);
    return child.run;
  }, 1024);
  relay.call(open(1));
  await parent.replied(1);
  relay.call(open(1));
  assert.deepStrictEqual(parent.kinds(), [
    "1 ack",
    `1 status ${Status.INVALID_ARGUMENT}`,
  ]);
  relay.call({ id: 1, frame: "cancel", cancel: {} });
  assert.equal(children[0].run.signal.aborted, true);
  assert.equal(children.length, 1);
});
