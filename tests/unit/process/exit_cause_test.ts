import assert from "node:assert/strict";
import {
  describeExitCause,
  ExitClassifier,
} from "../../../src/process/exit_cause.ts";

/** V8's report, as a worker's stderr carries it around the fatal line. */
const REPORT = [
  "",
  "<--- Last few GCs --->",
  "",
  "#",
  "# Fatal JavaScript out of memory: Reached heap limit",
  "#",
  "==== C stack trace ===============================",
  "",
  ...Array.from({ length: 80 }, (_, i) => `    deno(+0x${i}) [0x${i}]`),
];
const SIGTRAP = { code: 133, signal: "SIGTRAP" } as const;

function classifierAfter(lines: readonly string[]): ExitClassifier {
  const classifier = new ExitClassifier();
  for (const line of lines) {
    assert.equal(classifier.observe(line), false, "no line is taken");
  }
  return classifier;
}

Deno.test("ExitClassifier says a process that died after V8's heap report ran out of memory, however long the stack trace after it", () => {
  const classifier = classifierAfter(REPORT);
  assert.ok(classifier.reported);
  assert.deepEqual(classifier.classify(SIGTRAP), {
    kind: "out-of-memory",
    memory: "heap",
    detail: "Reached heap limit",
  });
  assert.deepEqual(classifier.classify({ code: 1, signal: null }), {
    kind: "out-of-memory",
    memory: "heap",
    detail: "Reached heap limit",
  });
});

Deno.test("ExitClassifier tells a process out of memory from a heap out of memory", () => {
  const classifier = classifierAfter([
    "#",
    "# Fatal process out of memory: Zone",
    "#",
  ]);
  assert.deepEqual(classifier.classify(SIGTRAP), {
    kind: "out-of-memory",
    memory: "process",
    detail: "Zone",
  });
});

Deno.test("ExitClassifier keeps the first report", () => {
  const classifier = classifierAfter([
    "# Fatal JavaScript out of memory: Ineffective mark-compacts near heap limit",
    "# Fatal process out of memory: Zone",
  ]);
  assert.equal(
    classifier.classify(SIGTRAP)?.detail,
    "Ineffective mark-compacts near heap limit",
  );
});

Deno.test("ExitClassifier finds no cause without V8's report, or for a process that exited 0", () => {
  const silent = classifierAfter(["error: Uncaught Error: boom", "#"]);
  assert.equal(silent.reported, false);
  assert.equal(silent.classify(SIGTRAP), undefined);
  assert.equal(silent.classify({ code: 137, signal: "SIGKILL" }), undefined);
  const quoted = classifierAfter([
    "task says: # Fatal JavaScript out of memory: Reached heap limit",
  ]);
  assert.equal(quoted.classify(SIGTRAP), undefined, "only a whole line counts");
  const printed = classifierAfter(REPORT);
  assert.equal(printed.classify({ code: 0, signal: null }), undefined);
});

Deno.test("describeExitCause() names the heap limit set in worker.resourceLimits, when one was", () => {
  const cause = {
    kind: "out-of-memory",
    memory: "heap",
    detail: "Reached heap limit",
  } as const;
  assert.equal(
    describeExitCause(cause, { maxOldGenerationSizeMb: 64 }),
    'it ran out of memory (V8: "Reached heap limit"; worker.resourceLimits.maxOldGenerationSizeMb is 64)',
  );
  assert.equal(
    describeExitCause(cause, undefined),
    `it ran out of memory (V8: "Reached heap limit")`,
  );
  assert.equal(
    describeExitCause(cause, { stackSizeMb: 2 }),
    `it ran out of memory (V8: "Reached heap limit")`,
  );
  assert.equal(
    describeExitCause(
      { kind: "out-of-memory", memory: "process", detail: "Zone" },
      { maxOldGenerationSizeMb: 64 },
    ),
    'it ran out of memory (V8: "Zone"; outside the JavaScript heap, which worker.resourceLimits does not cap)',
  );
});
