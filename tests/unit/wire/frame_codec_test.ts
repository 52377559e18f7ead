import assert from "node:assert/strict";
import { decodeError } from "../../../src/wire/errors.ts";
import { encodeStep, ResponseEncoder } from "../../../src/wire/frame_codec.ts";
import type { ResponseFrame } from "../../../src/wire/frames.ts";
import { MessageTooLarge } from "../../../src/wire/message_too_large.ts";
import { RemoteError } from "../../../src/wire/remote_error.ts";
import { TaskPermissionDenied } from "../../../src/wire/task_permission_denied.ts";
import { decodeValue } from "../../../src/wire/values.ts";

/** The error an Exception or Nack frame carries. */
function errorOf(frame: ResponseFrame): Error {
  if (frame.frame === "exception") return decodeError(frame.exception.error);
  if (frame.frame === "nack") return decodeError(frame.nack.error);
  assert.fail(`expected an error frame, got ${frame.frame}`);
}

Deno.test("ResponseEncoder builds an Ack saying what the task turned out to be", () => {
  const frames = new ResponseEncoder(1024, "add");
  assert.deepStrictEqual(frames.ack("generator"), {
    frame: "ack",
    ack: { generator: true },
  });
  assert.deepStrictEqual(frames.ack("coroutine"), {
    frame: "ack",
    ack: { generator: false },
  });
});

Deno.test("ResponseEncoder.value() encodes a Result or a Done that the caller decodes", () => {
  const frames = new ResponseEncoder(1024, "add");
  const result = frames.value("result", new Map([[1, "one"]]));
  assert.ok(result.frame === "result");
  assert.deepStrictEqual(
    decodeValue(result.result.value),
    new Map([[1, "one"]]),
  );
  const done = frames.value("done", "finished");
  assert.ok(done.frame === "done");
  assert.equal(decodeValue(done.done.value), "finished");
});

Deno.test("ResponseEncoder.value() answers a value over the limit with an Exception carrying MessageTooLarge", () => {
  const frames = new ResponseEncoder(64, "big");
  const error = errorOf(frames.value("result", "x".repeat(100)));
  assert.ok(error instanceof MessageTooLarge);
  assert.equal(error.limit, 64);
  assert.ok(error.size > 64);
  assert.match(error.message, /result of "big"/);
});

Deno.test("ResponseEncoder.value() answers a value V8 cannot serialize with an Exception naming it", () => {
  const error = errorOf(
    new ResponseEncoder(1024, "fn").value("done", { fn: () => 1 }),
  );
  assert.equal(error.name, "TypeError");
  assert.match(error.message, /Cannot serialize the return value of "fn"/);
});

Deno.test("ResponseEncoder replaces an error over the limit with MessageTooLarge, in an Exception or a Nack", () => {
  const frames = new ResponseEncoder(8192, "fails");
  const huge = new Error("e".repeat(10_000));
  for (const frame of [frames.exception(huge), frames.nack(huge)]) {
    const error = errorOf(frame);
    assert.ok(error instanceof MessageTooLarge, frame.frame ?? "none");
    assert.match(error.message, /error of "fails"/);
  }
  const small = errorOf(frames.nack(new TypeError("no export")));
  assert.equal(small.name, "TypeError");
  assert.equal(small.message, "no export");
});

Deno.test("encodeStep() builds the frame of each generator step", () => {
  assert.deepStrictEqual(encodeStep({ step: "next" }, 1024), {
    frame: "next",
    next: {},
  });
  const send = encodeStep({ step: "send", value: 7 }, 1024);
  assert.ok(send.frame === "send");
  assert.equal(decodeValue(send.send.value), 7);
  const thrown = encodeStep(
    { step: "throw", error: new RangeError("r") },
    1024,
  );
  assert.ok(thrown.frame === "throw");
  assert.ok(decodeError(thrown.throw.error) instanceof RangeError);
  const returned = encodeStep({ step: "return", value: "v" }, 1024);
  assert.ok(returned.frame === "return");
  assert.equal(decodeValue(returned.return.value), "v");
});

Deno.test("encodeStep() throws MessageTooLarge for a value over the limit, before anything is sent", () => {
  for (
    const step of [
      { step: "send", value: "x".repeat(100) },
      { step: "return", value: "x".repeat(100) },
      { step: "throw", error: new Error("x".repeat(100)) },
    ] as const
  ) {
    assert.throws(() => encodeStep(step, 64), MessageTooLarge, step.step);
  }
  assert.throws(
    () => encodeStep({ step: "send", value: () => 1 }, 1024),
    /Cannot serialize the value sent to the generator/,
  );
});

Deno.test("ResponseEncoder.exception() sends a permission Deno denied as TaskPermissionDenied, with Deno's error as its cause", () => {
  const frames = new ResponseEncoder(64 * 1024, "readConfig");
  const denied = new Deno.errors.NotCapable(
    'Requires read access to "/etc/app.toml", run again with the --allow-read flag',
  );
  const error = errorOf(frames.exception(denied));
  assert.ok(error instanceof TaskPermissionDenied, `got ${error}`);
  assert.equal(error.permission, "read");
  assert.equal(error.target, "/etc/app.toml");
  assert.equal(
    error.grant,
    'worker: { permissions: { read: ["/etc/app.toml"] } }',
  );
  assert.match(error.message, /grant it with the pool option worker: /);
  assert.ok(error.cause instanceof RemoteError, `cause ${error.cause}`);
  assert.equal(error.cause.name, "NotCapable");
  assert.equal(error.cause.message, denied.message);
});

Deno.test("ResponseEncoder.exception() sends any other error as it is", () => {
  const frames = new ResponseEncoder(64 * 1024, "f");
  const error = errorOf(frames.exception(new RangeError("out of range")));
  assert.equal(Object.getPrototypeOf(error), RangeError.prototype);
  const os = errorOf(
    frames.exception(
      new Deno.errors.PermissionDenied("Permission denied (os error 13)"),
    ),
  );
  assert.ok(os instanceof RemoteError, "an OS refusal is not a Deno grant");
  assert.equal(os.name, "PermissionDenied");
});
