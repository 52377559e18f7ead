import assert from "node:assert/strict";
import { measureInChild } from "../../../bench/_section_process.ts";

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
  // Bounded: a child left running would hang here, not fail.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tooLong = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error("the hanging child was not killed")),
      30_000,
    );
  });
  try {
    await assert.rejects(
      Promise.race([running, tooLong]),
      /"pool" section failed in its own process/,
    );
  } finally {
    clearTimeout(timer);
  }
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
  // The child shares the parent's stdout: the pipe reaches its end only
  // when both have exited.
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
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tooLong = new Promise<"running">((resolve) => {
    timer = setTimeout(() => resolve("running"), 30_000);
  });
  const drained = (async () => {
    while (!(await lines.read()).done);
    return "exited" as const;
  })();
  const ended = await Promise.race([drained, tooLong]);
  clearTimeout(timer);
  // A child left running is this test's to end (it started it).
  if (ended === "running") Deno.kill(child, "SIGKILL");
  assert.equal(ended, "exited");
  await drained;
});
