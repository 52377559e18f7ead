import assert from "node:assert/strict";
import { loadWorkerService } from "../../../src/wire/proto.ts";
import type { RequestFrame, ResponseFrame } from "../../../src/wire/frames.ts";
import { WORKER_SERVICE } from "../../../src/wire/wool_pb.ts";

Deno.test(
  "loadWorkerService() serves the generated definition, reading nothing",
  {
    permissions: { read: false, net: false },
  },
  () => {
    assert.equal(loadWorkerService(), WORKER_SERVICE);
  },
);

Deno.test("loadWorkerService() defines the wool.v1.Worker methods and their stream shapes", () => {
  const shapes = Object.entries(loadWorkerService()).map(([name, method]) => [
    name,
    method.path,
    method.requestStream,
    method.responseStream,
  ]);
  assert.deepStrictEqual(shapes, [
    ["Dispatch", "/wool.v1.Worker/Dispatch", true, true],
    ["Session", "/wool.v1.Worker/Session", true, true],
    ["Stop", "/wool.v1.Worker/Stop", false, false],
    ["Idle", "/wool.v1.Worker/Idle", false, false],
    ["Info", "/wool.v1.Worker/Info", false, false],
  ]);
});

Deno.test("loadWorkerService() codecs carry each frame kind with its oneof name", () => {
  const { Dispatch } = loadWorkerService();
  const requests: RequestFrame[] = [
    {
      frame: "task",
      task: {
        protocolVersion: 1,
        id: "t-1",
        module: "file:///tasks.ts",
        export: "add",
        args: new Uint8Array([1]),
        tag: "",
        caller: "",
        timeoutMs: 0,
        context: {},
        traceparent: "",
        tracestate: "",
        depth: 0,
      },
    },
    { frame: "next", next: {} },
    { frame: "send", send: { value: new Uint8Array([2]) } },
    { frame: "throw", throw: { error: new Uint8Array([3]) } },
    { frame: "return", return: { value: new Uint8Array([4]) } },
  ];
  const responses: ResponseFrame[] = [
    { frame: "ack", ack: { generator: true } },
    { frame: "nack", nack: { error: new Uint8Array([5]) } },
    { frame: "result", result: { value: new Uint8Array([6]) } },
    { frame: "exception", exception: { error: new Uint8Array([7]) } },
    { frame: "done", done: { value: new Uint8Array([8]) } },
  ];
  const kinds = (frames: { frame?: string }[]) => frames.map((f) => f.frame);
  assert.deepStrictEqual(
    kinds(
      requests.map((f) =>
        Dispatch.requestDeserialize(Dispatch.requestSerialize(f))
      ),
    ),
    ["task", "next", "send", "throw", "return"],
  );
  assert.deepStrictEqual(
    kinds(
      responses.map((f) =>
        Dispatch.responseDeserialize(Dispatch.responseSerialize(f))
      ),
    ),
    ["ack", "nack", "result", "exception", "done"],
  );
});
