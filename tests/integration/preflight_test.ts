/**
 * The pool's own permissions, run for real: a program holding exactly the
 * grants `poolPermissions()` lists starts a pool and runs a task; the same
 * program missing one of them fails `WorkerPool.start()` with
 * `MissingPermission` naming the flag, before any worker starts.
 *
 * @module
 */
import assert from "node:assert/strict";
import { grantFlags, poolPermissions } from "../../src/process/preflight.ts";
import { denoRun } from "../_helpers/deno_run.ts";

const PROGRAM = new URL(
  "../_fixtures/preflight/start_pool.ts",
  import.meta.url,
);
const TMP = Deno.env.get("TMPDIR") || "/tmp";

/** The flags for the pool's needs, but those of the permission `without`. */
function flags(options: { unix: boolean; without?: string }): string[] {
  const needs = poolPermissions({
    commands: [Deno.execPath()],
    ...(options.unix ? { socketParent: TMP } : { hosts: ["127.0.0.1"] }),
  });
  return grantFlags(
    needs.filter((need) => need.descriptor.name !== options.without),
  );
}

function run(flags: readonly string[], listen?: "tcp") {
  return denoRun([...flags, PROGRAM.href, ...listen ? [listen] : []]);
}

Deno.test("a pool on Unix sockets starts and serves with exactly the permissions the preflight lists", async () => {
  const { code, stdout, stderr } = await run(flags({ unix: true }));
  assert.equal(code, 0, stderr);
  assert.equal(stdout.trim(), "3");
});

Deno.test("a pool whose workers listen on TCP needs net only to 127.0.0.1", async () => {
  const needed = flags({ unix: false });
  assert.ok(needed.includes("--allow-net=127.0.0.1"), `${needed}`);
  const { code, stdout, stderr } = await run(needed, "tcp");
  assert.equal(code, 0, stderr);
  assert.equal(stdout.trim(), "3");
});

Deno.test("WorkerPool.start() tells a pool's process missing a permission the flag, before any worker starts", async (t) => {
  const all = flags({ unix: true });
  for (const name of ["run", "net", "write"]) {
    await t.step(`without --allow-${name}`, async () => {
      const missing = all.find((flag) => flag.startsWith(`--allow-${name}`))!;
      const { code, stdout, stderr } = await run(
        flags({ unix: true, without: name }),
      );
      assert.equal(code, 3, stderr);
      assert.equal(stdout, "");
      assert.match(stderr, /^MissingPermission: Cannot start worker pool/);
      assert.ok(stderr.includes(`Run it again with ${missing}`), stderr);
    });
  }
  await t.step(
    "without --allow-env: Deno names the variable grpc-js reads as it loads",
    async () => {
      const { code, stdout, stderr } = await run(
        flags({ unix: true, without: "env" }),
      );
      assert.equal(code, 3, stderr);
      assert.equal(stdout, "");
      assert.match(stderr, /GRPC_NODE_VERBOSITY/);
      assert.match(stderr, /--allow-env/);
    },
  );
});
