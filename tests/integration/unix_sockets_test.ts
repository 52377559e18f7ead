/**
 * Spawned workers listen on Unix domain sockets, in a directory made per
 * pool that only the pool's user can open, and nothing of it outlives the
 * pool: `close()` removes it, each worker removes its own socket as it
 * exits (its stdin closed, or a `Stop`), and the last one out removes the
 * directory; the reaper of a pool killed with SIGKILL, which kills its
 * workers, removes it, so that leaves nothing either. With
 * `worker.listen: "tcp"` they listen on 127.0.0.1, with the same secret.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { WorkerPool } from "../../mod.ts";
import { startLoneWorker } from "../_helpers/lone_worker.ts";
import { isAlive, waitForExit } from "../_helpers/processes.ts";
import { GrpcStatus, RawWorkerClient } from "../_helpers/raw_client.ts";
import { exists } from "../_helpers/files.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const HOLD_POOL = fileURLToPath(
  import.meta.resolve("../_fixtures/security/hold_pool.ts"),
);

function socketPathOf(address: string): string {
  assert.match(address, /^unix:\//);
  return address.slice("unix:".length);
}

Deno.test("WorkerPool.start() puts each worker on a Unix socket in a directory only this user can open, which close() removes", async () => {
  const pool = await WorkerPool.start({ spawn: 2 });
  const paths = pool.workers.map((worker) => socketPathOf(worker.address));
  const directory = dirname(paths[0]);
  try {
    assert.equal(dirname(paths[1]), directory);
    assert.match(directory, /\/wool-[^/]+$/);
    const info = await Deno.stat(directory);
    assert.ok(info.isDirectory);
    assert.equal(info.mode! & 0o777, 0o700);
    for (const path of paths) {
      assert.ok((await Deno.lstat(path)).isSocket, `${path} is no socket`);
    }
    assert.equal(
      await pool.dispatch({ module: TASKS, export: "add", args: [1, 2] }),
      3,
    );
  } finally {
    await pool.close();
  }
  assert.equal(await exists(directory), false, "close() left the directory");
});

Deno.test("Worker removes its socket, and the emptied directory, when its stdin closes", async () => {
  await using worker = await startLoneWorker();
  assert.ok(await exists(worker.socketPath));
  await worker.process.closeStdin();
  assert.equal((await worker.process.exited).code, 0);
  assert.equal(await exists(worker.socketPath), false);
  assert.equal(await exists(dirname(worker.socketPath)), false);
});

Deno.test("Worker removes its socket, and the emptied directory, when it stops on a Stop", async () => {
  await using worker = await startLoneWorker();
  using raw = await RawWorkerClient.connect(worker.address, {
    authorization: worker.authorization,
  });
  await raw.stop(0);
  assert.equal((await worker.process.exited).code, 0);
  assert.equal(await exists(worker.socketPath), false);
  assert.equal(await exists(dirname(worker.socketPath)), false);
});

Deno.test("A pool killed with SIGKILL leaves no socket and no socket directory behind", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", HOLD_POOL],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let held: { pids: number[]; addresses: string[] };
  const output = child.stdout.pipeThrough(new TextDecoderStream());
  try {
    let line = "";
    for await (const text of output) {
      line += text;
      if (line.includes("\n")) break;
    }
    held = JSON.parse(line);
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
  assert.equal(held.addresses.length, 2);
  await Promise.all(held.pids.map((pid) => waitForExit(pid, 30_000)));
  for (const pid of held.pids) assert.ok(!isAlive(pid));
  for (const address of held.addresses) {
    assert.equal(await exists(socketPathOf(address)), false, address);
  }
  const directory = dirname(socketPathOf(held.addresses[0]));
  assert.equal(await exists(directory), false, `${directory} was left`);
});

Deno.test('WorkerPool.start() with worker.listen "tcp" puts workers on 127.0.0.1, still requiring the pool\'s secret', async () => {
  await using pool = await WorkerPool.start({
    spawn: 1,
    worker: { listen: "tcp" },
  });
  const [worker] = pool.workers;
  assert.match(worker.address, /^127\.0\.0\.1:\d+$/);
  assert.equal(
    await pool.dispatch({ module: TASKS, export: "add", args: [1, 2] }),
    3,
  );
  using stranger = await RawWorkerClient.connect(worker.address);
  await assert.rejects(
    stranger.idle(),
    (error: { code: number }) => error.code === GrpcStatus.UNAUTHENTICATED,
  );
});
