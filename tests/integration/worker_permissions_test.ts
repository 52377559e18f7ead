/**
 * Least privilege, run for real: a worker given a `worker.permissions`
 * object gets what it asked plus what serving on its own Unix socket
 * needs, and no network grant at all, so its tasks reach neither a TCP
 * port on 127.0.0.1 nor another pool's worker; `"inherit"` under partial
 * grants of the pool's process passes them on exactly or refuses, never
 * widening or dropping them unseen; and the pool's environment reaches
 * task code only when asked (`worker.inheritEnv`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { TaskPermissionDenied, WorkerPool } from "../../mod.ts";
import { denoRun } from "../_helpers/deno_run.ts";

const TASKS = import.meta.resolve("../_fixtures/security/tasks.ts");
type Tasks = typeof import("../_fixtures/security/tasks.ts");
const REPO = fileURLToPath(new URL("../../", import.meta.url));
const INHERIT_POOL = fileURLToPath(
  import.meta.resolve("../_fixtures/security/inherit_pool.ts"),
);
const CONFIG = fileURLToPath(import.meta.resolve("../../deno.json"));

/** Asserts that `call` fails for want of `permission` to `target`. */
async function assertDenied(
  call: Promise<unknown>,
  permission: string,
  target: string,
) {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof TaskPermissionDenied, `${error}`);
    assert.equal(error.permission, permission, error.message);
    assert.equal(error.target, target, error.message);
    assert.equal((error.cause as Error).name, "NotCapable");
    return true;
  });
}

Deno.test("A task in a pool with worker.permissions { read: true } cannot reach a TCP port on 127.0.0.1, nor another pool's worker", async () => {
  using server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of server) accepted.push(conn);
  })().catch(() => {});
  await using pool = await WorkerPool.start({
    spawn: 1,
    worker: { permissions: { read: [REPO] } },
  });
  await using other = await WorkerPool.start({ spawn: 1 });
  const tasks = pool.remote<Tasks>(TASKS);
  const port = server.addr.port;
  try {
    await assertDenied(tasks.denoConnect(port), "net", `127.0.0.1:${port}`);
    await assertDenied(tasks.nodeConnect({ port }), "net", `127.0.0.1:${port}`);
    // Deno asks read (then write, then net) of a Unix socket: the first
    // one missing refuses it.
    const otherSocket = other.workers[0].address.slice("unix:".length);
    await assertDenied(
      tasks.nodeConnect({ path: otherSocket }),
      "read",
      otherSocket,
    );
    assert.notEqual(await tasks.permissionOf({ name: "net" }), "granted");
    assert.notEqual(
      await tasks.permissionOf({ name: "net", host: "127.0.0.1" }),
      "granted",
    );
  } finally {
    server.close();
    await accepting;
    for (const conn of accepted) conn.close();
  }
  assert.equal(accepted.length, 0, "a task connected");
});

/** Runs the inherit fixture under `flags`. */
function inheritPool(flags: readonly string[], listen?: "tcp") {
  return denoRun([
    "--config",
    CONFIG,
    ...flags,
    INHERIT_POOL,
    ...listen ? [listen] : [],
  ]);
}

const FULL_BUT = (name: string) =>
  ["read", "write", "net", "env", "run"]
    .filter((other) => other !== name)
    .map((other) => `--allow-${other}`);

Deno.test('worker.permissions "inherit" passes on the grants the pool holds in full, and exactly the sys kinds it holds', async () => {
  const { code, stdout, stderr } = await inheritPool([
    ...FULL_BUT(""),
    "--allow-sys=hostname",
  ]);
  assert.equal(code, 0, stderr);
  assert.deepEqual(JSON.parse(stdout), {
    read: "granted",
    write: "granted",
    ffi: "prompt",
    "sys:hostname": "granted",
    "sys:osRelease": "prompt",
  });
});

Deno.test('worker.permissions "inherit" refuses, naming it, a partial grant of the pool\'s process it can see', async (t) => {
  const cases: [string, string[], "tcp" | undefined, RegExp][] = [
    [
      "--allow-write=/tmp",
      [...FULL_BUT("write"), "--allow-write=/tmp"],
      undefined,
      // "/tmp", or the checkout when it lies under /tmp (seen first).
      /holds the write permission only in part \(it may write "\/tmp(\/[^"]*)?"\)/,
    ],
    [
      "--allow-net=127.0.0.1 (workers on TCP)",
      [...FULL_BUT("net"), "--allow-net=127.0.0.1"],
      "tcp",
      /holds the net permission only in part \(it may reach "127\.0\.0\.1"\)/,
    ],
    [
      "--allow-all --deny-read=<a file>",
      ["--allow-all", `--deny-read=${CONFIG}.nothing`],
      undefined,
      /holds the read permission only in part \(it is granted with a deny-list, --deny-read\)/,
    ],
  ];
  for (const [label, flags, listen, pattern] of cases) {
    await t.step(label, async () => {
      const { code, stdout, stderr } = await inheritPool(flags, listen);
      assert.equal(code, 3, stderr);
      assert.equal(stdout, "");
      assert.match(
        stderr,
        /^PermissionNotInheritable: Cannot start worker pool/,
      );
      assert.match(stderr, pattern);
      assert.match(stderr, /"worker\.permissions" as an object/);
    });
  }
});

Deno.test("A secret in the pool's environment does not reach task code, unless worker.inheritEnv passes it on", async (t) => {
  const name = "WOOL_TEST_DATABASE_URL";
  Deno.env.set(name, "postgres://user:hunter2@db");
  try {
    for (
      const [label, inheritEnv, expected] of [
        ["by default", undefined, null],
        ["inheritEnv: [name]", [name], "postgres://user:hunter2@db"],
        ["inheritEnv: true", true, "postgres://user:hunter2@db"],
      ] as const
    ) {
      await t.step(label, async () => {
        await using pool = await WorkerPool.start({
          spawn: 1,
          worker: inheritEnv === undefined ? {} : { inheritEnv },
        });
        const tasks = pool.remote<Tasks>(TASKS);
        assert.equal(await tasks.envValue(name), expected);
        assert.equal(await tasks.envValue("PATH"), Deno.env.get("PATH"));
      });
    }
  } finally {
    Deno.env.delete(name);
  }
});
