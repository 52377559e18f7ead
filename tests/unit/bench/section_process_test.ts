import assert from "node:assert/strict";
import { measureInChild } from "../../../bench/_section_process.ts";
import { settles } from "../../_helpers/deadline.ts";
import { waitForExit } from "../../_helpers/processes.ts";

const CHILD = new URL(
  "../../_fixtures/bench/section_child.ts",
  import.meta.url,
);

Deno.test("measureInChild() runs the section in another process and returns what it wrote, NaN and undefined kept", async () => {
  const output = await measureInChild<Record<string, unknown>>(
    CHILD,
    "startup",
    ["--mode=ok"],
  );
  assert.notEqual(output.pid, Deno.pid);
  assert.deepEqual(output.results, {
    startup: { ratio: NaN, absent: undefined, n: 7 },
  });
  assert.ok("absent" in (output.results.startup as object));
  assert.deepEqual(output.timings, {
    startup: { ms: 5, loadAverage: [0, 0, 0] },
  });
});

Deno.test("measureInChild() names the section whose process failed", async () => {
  await assert.rejects(
    measureInChild(CHILD, "overload", ["--mode=fail"]),
    /"overload" section failed in its own process \(exit code 3\)/,
  );
});

Deno.test("measureInChild() names the section whose process wrote nothing", async () => {
  await assert.rejects(
    measureInChild(CHILD, "adaptive", ["--mode=silent"]),
    /"adaptive" section's process exited without writing its results/,
  );
});

Deno.test("measureInChild() kills the section's process when its signal aborts", async () => {
  const stop = new AbortController();
  const running = measureInChild(CHILD, "pool", ["--mode=hang"], stop.signal);
  stop.abort();
  await assert.rejects(
    settles(running, "the aborted section's measurement"),
    /"pool" section failed in its own process/,
  );
});

Deno.test("a section's process exits when the bench's process is killed", async () => {
  const parent = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../_fixtures/bench/section_parent.ts", import.meta.url)
        .pathname,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  // The child shares the parent's stdout: it prints its pid there.
  const lines = parent.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  let seen = "";
  while (!seen.includes("hanging")) {
    const { value, done } = await lines.read();
    assert.ok(!done, "the section's process never started");
    seen += value;
  }
  const child = Number(/hanging (\d+)/.exec(seen)![1]);
  parent.kill("SIGKILL");
  await parent.status;
  try {
    await waitForExit(child);
  } catch (error) {
    // A child left running is this test's to end (it started it).
    Deno.kill(child, "SIGKILL");
    throw error;
  }
  while (!(await lines.read()).done);
});
