import assert from "node:assert/strict";
import { TIMED_OUT, withTimeout } from "../../../src/_util/timeout.ts";
import { Reaper } from "../../../src/process/reaper.ts";
import { isAlive } from "../../_helpers/processes.ts";

/** Starts `sleep 60` leading a process group of its own. */
function groupLeader(): Deno.ChildProcess {
  return new Deno.Command("sleep", {
    args: ["60"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
}

/**
 * The signal that ended `leader` within 5 s, or `"still running"` (it is
 * then killed, so the test fails without leaving it behind).
 */
async function endedBy(leader: Deno.ChildProcess): Promise<string | null> {
  const status = await withTimeout(leader.status, 5000);
  if (status !== TIMED_OUT) return status.signal;
  leader.kill("SIGKILL");
  await leader.status;
  return "still running";
}

async function startReaper(): Promise<Reaper> {
  const reaper = await Reaper.start();
  assert.ok(reaper, "no reaper on this machine (/bin/sh, run permission)");
  return reaper;
}

Deno.test("Reaper kills every group still listed when its stdin closes, and none it was told to forget", async () => {
  const listed = groupLeader();
  const forgotten = groupLeader();
  const reaper = await startReaper();
  reaper.watch(listed.pid);
  reaper.watch(forgotten.pid);
  reaper.forget(forgotten.pid);
  await reaper.close();
  assert.equal(await endedBy(listed), "SIGKILL");
  assert.ok(isAlive(forgotten.pid), "a forgotten group was killed");
  forgotten.kill("SIGKILL");
  await forgotten.status;
});

Deno.test("Reaper forgets an id whole: forgetting 12 or 9123 keeps 123 listed", async () => {
  const leader = groupLeader();
  const reaper = await startReaper();
  reaper.watch(leader.pid);
  // Ids that hold the listed one, or that it holds, as text.
  reaper.forget(Number(`${leader.pid}`.slice(0, -1)));
  reaper.forget(Number(`${leader.pid}`.slice(1)));
  reaper.forget(Number(`9${leader.pid}`));
  reaper.forget(Number(`${leader.pid}9`));
  await reaper.close();
  assert.equal(await endedBy(leader), "SIGKILL");
});

Deno.test("Reaper.kill() kills a group at once, while the reaper runs on", async () => {
  const leader = groupLeader();
  await using reaper = await startReaper();
  reaper.watch(leader.pid);
  reaper.kill(leader.pid);
  reaper.forget(leader.pid);
  assert.equal(await endedBy(leader), "SIGKILL");
  assert.ok(isAlive(reaper.pid));
});

Deno.test("Reaper survives SIGTERM, SIGINT and SIGHUP: only the end of its stdin ends it", async () => {
  const leader = groupLeader();
  const reaper = await startReaper();
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    Deno.kill(reaper.pid, signal);
  }
  reaper.watch(leader.pid);
  await reaper.close();
  assert.equal(await endedBy(leader), "SIGKILL");
});

Deno.test("Reaper runs in a process group of its own", async () => {
  await using reaper = await startReaper();
  const stat = await Deno.readTextFile(`/proc/${reaper.pid}/stat`);
  const pgid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  assert.equal(pgid, reaper.pid);
});
