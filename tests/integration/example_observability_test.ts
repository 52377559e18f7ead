/**
 * `examples/observability.ts` runs as documented and prints one call's
 * trace across processes: the call, a rejected attempt with the worker's
 * rejected task under it, and an accepted attempt with the task that ran.
 *
 * @module
 */
import assert from "node:assert/strict";

const EXAMPLE = new URL("../../examples/observability.ts", import.meta.url);

Deno.test("examples/observability.ts prints the spans of a call across processes, a rejected attempt included", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", EXAMPLE.href],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  assert.equal(code, 0, text.decode(stderr));
  const lines = text.decode(stdout).trimEnd().split("\n");
  assert.equal(lines[0], "add(2, 3) = 5");
  assert.match(lines[1], /^trace [0-9a-f]{32}:$/);
  const tree = lines.slice(2).map((line) => {
    const [, indent, name, process] = /^( *)(\S+ ?\S*) \[(\w+)\]/.exec(line)!;
    return `${indent}${name} [${process}]`;
  });
  assert.deepEqual(tree, [
    "wool.call add [caller]",
    "  wool.attempt [caller]",
    "    wool.task add [worker]",
    "  wool.attempt [caller]",
    "    wool.task add [worker]",
  ]);
  assert.match(lines[2], /wool\.outcome="ok" wool\.attempts=2/);
  assert.match(
    lines[3],
    /wool\.outcome="rejected" wool\.attempt=1 .*RESOURCE_EXHAUSTED/,
  );
  assert.match(
    lines[4],
    /wool\.admission\.verdict="rejected" wool\.rejection\.cause="hook"/,
  );
  assert.match(lines[5], /wool\.outcome="accepted" wool\.attempt=2/);
  assert.match(
    lines[6],
    /wool\.outcome="ok" wool\.admission\.verdict="accepted"/,
  );
});
