/**
 * `deno bench bench/micro/wire_codec_bench.ts`: the Session frames of a
 * trivial task, encoded and decoded by the codec the runtime used before
 * (@grpc/proto-loader over protobufjs,
 * `tools/wire_codegen/proto_loader_service.ts`) and by the generated one
 * (`src/wire/wool_pb.ts`, today's), in the same run: each group's baseline is
 * proto-loader, so `deno bench` prints the generated codec's ratio to it.
 *
 * @module
 */
import type * as grpc from "npm:@grpc/grpc-js@1.14.7";
import { serialize } from "node:v8";
import { loadProtoLoaderService } from "../../tools/wire_codegen/proto_loader_service.ts";
import { WORKER_SERVICE } from "../../src/wire/wool_pb.ts";

const loaded = (await loadProtoLoaderService())
  .Session as grpc.MethodDefinition<
    unknown,
    unknown
  >;
const generated = WORKER_SERVICE.Session as grpc.MethodDefinition<
  unknown,
  unknown
>;

/** The Task frame `pool.dispatch()` sends for `add(1, 2)`. */
function taskFrame(stream: number) {
  return {
    stream,
    frame: "request",
    request: {
      frame: "task",
      task: {
        protocolVersion: 1,
        id: crypto.randomUUID(),
        module: new URL("../fixtures/tasks.ts", import.meta.url).href,
        export: "add",
        args: serialize([1, 2]),
      },
    },
  };
}

/** The Ack and the Result a worker sends back for it. */
function answerFrames(stream: number) {
  return [
    {
      stream,
      frame: "response",
      response: { frame: "ack", ack: { generator: false } },
    },
    {
      stream,
      frame: "response",
      response: { frame: "result", result: { value: serialize(3) } },
    },
  ];
}

const oneTask = { frames: [taskFrame(1)] };
const tasks64 = { frames: Array.from({ length: 64 }, (_, i) => taskFrame(i)) };
const oneAnswer = { frames: answerFrames(1) };
const answers64 = {
  frames: Array.from({ length: 64 }, (_, i) => answerFrames(i)).flat(),
};
const bytes = {
  tasks64: loaded.requestSerialize(tasks64),
  answers64: loaded.responseSerialize(answers64),
  oneTask: loaded.requestSerialize(oneTask),
  oneAnswer: loaded.responseSerialize(oneAnswer),
};

const cases = [
  [
    "caller: encode 1 Task frame",
    (m: typeof loaded) => m.requestSerialize(oneTask),
  ],
  [
    "caller: encode a batch of 64 Task frames",
    (m: typeof loaded) => m.requestSerialize(tasks64),
  ],
  [
    "caller: decode Ack + Result",
    (m: typeof loaded) => m.responseDeserialize(bytes.oneAnswer),
  ],
  [
    "caller: decode a batch of 64 Ack + Result",
    (m: typeof loaded) => m.responseDeserialize(bytes.answers64),
  ],
  [
    "worker: decode 1 Task frame",
    (m: typeof loaded) => m.requestDeserialize(bytes.oneTask),
  ],
  [
    "worker: decode a batch of 64 Task frames",
    (m: typeof loaded) => m.requestDeserialize(bytes.tasks64),
  ],
  [
    "worker: encode Ack + Result",
    (m: typeof loaded) => m.responseSerialize(oneAnswer),
  ],
  [
    "worker: encode a batch of 64 Ack + Result",
    (m: typeof loaded) => m.responseSerialize(answers64),
  ],
] as const;

for (const [name, run] of cases) {
  Deno.bench({
    name: `proto-loader: ${name}`,
    group: name,
    baseline: true,
    fn: () => {
      run(loaded);
    },
  });
  Deno.bench({
    name: `generated: ${name}`,
    group: name,
    fn: () => {
      run(generated);
    },
  });
}
