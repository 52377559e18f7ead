/**
 * The pool's own permissions, run for real: a program holding exactly the
 * grants `poolPermissions()` lists starts a pool and runs a task; the same
 * program missing one of them stops at the preflight with the flag named.
 *
 * @module
 */
import assert from "node:assert/strict";
import { grantFlags, poolPermissions } from "../../src/process/preflight.ts";

const PROGRAM = new URL(
  "../_fixtures/preflight/start_pool.ts",
  import.meta.url,
);
const NEEDED = grantFlags(
  poolPermissions({ commands: [Deno.execPath()], hosts: ["127.0.0.1"] }),
);

async function run(flags: readonly string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...flags, PROGRAM.href],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

Deno.test("a pool starts and serves with exactly the permissions the preflight lists", async () => {
  const { code, stdout, stderr } = await run(NEEDED);
  assert.equal(code, 0, stderr);
  assert.equal(stdout.trim(), "3");
});

Deno.test("a pool's process missing a permission is told the flag before any worker starts", async (t) => {
  for (const prefix of ["--allow-run=", "--allow-net=", "--allow-env="]) {
    await t.step(`without ${prefix}…`, async () => {
      const missing = NEEDED.find((flag) => flag.startsWith(prefix))!;
      const { code, stdout, stderr } = await run([
        ...NEEDED.filter((flag) => flag !== missing),
      ]);
      assert.equal(code, 3, stderr);
      assert.equal(stdout, "");
      assert.match(stderr, /^MissingPermission: Cannot start worker pool/);
      assert.ok(stderr.includes(`Run it again with ${missing}`), stderr);
    });
  }
});
