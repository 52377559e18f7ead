import assert from "node:assert/strict";
import {
  categoryOf,
  type CpuProfile,
  functionKey,
  packageOf,
  summarizeProfile,
} from "../../../bench/_cpuprofile.ts";

function frame(functionName: string, url = "", lineNumber = 0) {
  return { functionName, url, lineNumber };
}

Deno.test("summarizeProfile() sums self time per function and package, idle apart", () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame("(root)") },
      { id: 2, callFrame: frame("(idle)") },
      {
        id: 3,
        callFrame: frame(
          "dispatch",
          "file:///work/main/src/pool/worker_pool.ts",
          166,
        ),
      },
      {
        id: 4,
        callFrame: frame(
          "write",
          "file:///root/.cache/deno/npm/registry.npmjs.org/@grpc/grpc-js/1.14.7/build/src/call.js",
          9,
        ),
      },
    ],
    // The time of a sample is the delta to the next one.
    samples: [3, 4, 3, 2, 4],
    timeDeltas: [0, 1000, 2000, 3000, 4000],
  };
  const summary = summarizeProfile(profile);
  assert.equal(summary.totalMs, 10);
  assert.equal(summary.busyMs, 6);
  assert.deepEqual(
    summary.functions.map((f) => [f.name, f.selfMs]),
    [
      ["dispatch src/pool/worker_pool.ts:167", 4],
      ["write @grpc/grpc-js/1.14.7/build/src/call.js:10", 2],
    ],
  );
  assert.deepEqual(
    summary.packages.map((p) => [p.name, p.selfMs, p.share]),
    [
      ["@wool/core src/pool", 4, 4 / 6],
      ["npm:@grpc/grpc-js", 2, 2 / 6],
    ],
  );
});

Deno.test("packageOf() names npm packages, project folders, the runtime and natives", () => {
  assert.equal(
    packageOf(
      "file:///root/.cache/deno/npm/registry.npmjs.org/protobufjs/7.6.6/src/writer.js",
    ),
    "npm:protobufjs",
  );
  assert.equal(
    packageOf(
      "file:///app/node_modules/.deno/piscina@5.3.2/node_modules/piscina/dist/index.js",
    ),
    "npm:piscina",
  );
  assert.equal(
    packageOf("file:///work/main/src/wire/values.ts"),
    "@wool/core src/wire",
  );
  assert.equal(packageOf("file:///work/main/bench/run.ts"), "bench");
  assert.equal(packageOf("ext:deno_node/http2.ts"), "deno/node compat");
  assert.equal(packageOf("ext:core/01_core.js"), "deno runtime");
  assert.equal(packageOf("", "op_run_microtasks"), "(native: deno ops)");
  assert.equal(packageOf("", "writeBuffer"), "(native)");
  assert.equal(packageOf("", "(garbage collector)"), "(garbage collector)");
});

Deno.test("functionKey() names anonymous functions and keeps native names bare", () => {
  assert.equal(
    functionKey(frame("", "ext:deno_node/http2.ts", 0)),
    "(anonymous) ext:deno_node/http2.ts:1",
  );
  assert.equal(functionKey(frame("writeBuffer")), "writeBuffer");
});

Deno.test("categoryOf() sorts frames into where the time goes", () => {
  const cases: [ReturnType<typeof frame>, string][] = [
    [frame("(garbage collector)"), "garbage collector"],
    [frame("writeBuffer"), "socket writes (native; includes time preempted)"],
    [frame("op_v8_new_serializer"), "values: V8 (de)serializer and copies"],
    [
      frame("writeValue", "ext:deno_node/v8.ts"),
      "values: V8 (de)serializer and copies",
    ],
    [
      frame("decodeValue", "file:///w/src/wire/values.ts"),
      "values: V8 (de)serializer and copies",
    ],
    [frame("Task$encode"), "frames: protobuf encode/decode"],
    [
      frame(
        "fork",
        "file:///root/.cache/deno/npm/registry.npmjs.org/protobufjs/7.6.6/src/writer.js",
      ),
      "frames: protobuf encode/decode",
    ],
    [
      frame("readTask", "file:///w/src/wire/wool_pb.ts"),
      "frames: protobuf encode/decode",
    ],
    [
      frame("FastBuffer", "ext:deno_node/internal/buffer.mjs"),
      "Buffer allocation",
    ],
    [frame("(anonymous)", "ext:deno_node/http2.ts"), "grpc-js and node:http2"],
    [
      frame("dispatch", "file:///w/src/pool/worker_pool.ts"),
      "@wool/core call path (promises, closures, state)",
    ],
    [
      frame("op_run_microtasks"),
      "Deno runtime (microtasks, timers, AbortSignal, async context)",
    ],
    [frame("lane", "file:///w/bench/_load.ts"), "benchmark load generator"],
  ];
  for (const [f, category] of cases) {
    assert.equal(categoryOf(f), category, f.functionName);
  }
});
