/**
 * Worker output reaches the caller's stdout and stderr labelled with the
 * worker, and never breaks the ready protocol. Run in a subprocess, whose
 * output the test reads.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(
  import.meta.resolve("../_fixtures/scripts/shout.ts"),
);

Deno.test("WorkerPool relays worker stdout and stderr to the caller's, labelled [wool w1], output before the ready line included", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT],
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const out = new TextDecoder().decode(stdout);
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, `the script failed:\n${out}\n${err}`);
  const outLines = out.split("\n");
  const errLines = err.split("\n");
  // Printed by the hook module while the worker started, before ready:
  assert.ok(outLines.includes("[wool w1] noisy hook: loading"), out);
  assert.ok(
    outLines.includes(
      '[wool w1] 0123-not-the-nonce ready {"address":"10.0.0.1:1","pid":1}',
    ),
    out,
  );
  assert.ok(errLines.includes("[wool w1] noisy hook: on stderr"), err);
  // Printed by the task:
  assert.ok(outLines.includes("[wool w1] out: hello"), out);
  assert.ok(errLines.includes("[wool w1] err: hello"), err);
  assert.ok(!outLines.includes("[wool w1] err: hello"), out);
  // The caller's own output, unlabelled:
  assert.ok(outLines.includes("result: hello"), out);
  // The status line itself is not relayed.
  assert.doesNotMatch(out, /\[wool w1\] \S+ ready \{"address":"unix:/);
});
