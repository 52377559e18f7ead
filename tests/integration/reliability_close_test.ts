/**
 * `WorkerPool.close({ graceMs })` under load: calls keep arriving on many
 * lanes, some long calls are in flight (a few finish within the grace,
 * others never would), a generator is open mid-stream. Every call settles
 * exactly once, with its result or `PoolClosed` (never another error);
 * calls made once `close()` began reject at once; `close()` resolves, and
 * no worker process is left in the process table. The test sanitizers
 * catch any stream, timer or handle left open.
 *
 * (The single-call rules of `close()` are in `close_test.ts`.)
 *
 * @module
 */
import assert from "node:assert/strict";
import { PoolClosed, WorkerPool } from "../../mod.ts";
import { settles } from "../_helpers/deadline.ts";
import { Gate } from "../_helpers/gate.ts";
import { isAlive } from "../_helpers/processes.ts";
import { TRANSPORTS } from "../_helpers/transports.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");

const LANES = 32;
const GRACE_MS = 2000;
/** Long calls held at the gate; the first RELEASED are let go in the grace. */
const HELD = 4;
const RELEASED = 2;

/** How one call ended. */
type Outcome =
  | { readonly kind: "result"; readonly value: unknown }
  | { readonly kind: "closed"; readonly error: PoolClosed }
  | { readonly kind: "other"; readonly error: unknown };

/** Settles with how `call` ended, and counts its settlements. */
function outcomeOf(
  call: Promise<unknown>,
  onSettled: () => void,
): Promise<Outcome> {
  return call.then(
    (value): Outcome => ({ kind: "result", value }),
    (error: unknown): Outcome =>
      error instanceof PoolClosed
        ? { kind: "closed", error }
        : { kind: "other", error },
  ).finally(onSettled);
}

for (const transport of TRANSPORTS) {
  Deno.test(`WorkerPool.close({ graceMs }) under load settles every call once with its result or PoolClosed, rejects calls made after close() at once, resolves, and leaves no worker process (transport "${transport}")`, async () => {
    await using gate = Gate.open();
    await using pool = await WorkerPool.start({ spawn: 2, transport });
    const tasks = pool.remote<Tasks>(TASKS);
    const pids = pool.workers.map((worker) => worker.pid);
    let settlements = 0;
    let calls = 0;
    const track = (call: Promise<unknown>) => {
      calls++;
      return outcomeOf(call, () => settlements++);
    };

    const held = Array.from(
      { length: HELD },
      (_, i) => track(tasks.waitAtGate(gate.port, `held ${i}`)),
    );
    await settles(gate.arrived(HELD), "the held calls starting");
    const stream = tasks.count(1_000_000)[Symbol.asyncIterator]();
    assert.deepEqual(await stream.next(), { done: false, value: 0 });

    let closeBegan = false;
    let closeResolved = false;
    /** Calls made after close() began, with whether close() had resolved when each settled. */
    const late: Promise<{ outcome: Outcome; beforeClose: boolean }>[] = [];
    const warm = Array.from({ length: LANES }, () => Promise.withResolvers());
    const lane = async (n: number): Promise<Outcome[]> => {
      const outcomes: Outcome[] = [];
      for (let i = 0; !closeBegan; i++) {
        const outcome = await track(tasks.add(n, i));
        if (outcome.kind === "result") assert.equal(outcome.value, n + i);
        outcomes.push(outcome);
        warm[n].resolve(undefined);
      }
      const call = track(tasks.add(n, -1));
      late.push(call.then((outcome) => ({
        outcome,
        beforeClose: !closeResolved,
      })));
      return outcomes;
    };
    const lanes = Array.from({ length: LANES }, (_, n) => lane(n));
    await settles(
      Promise.all(warm.map(({ promise }) => promise)),
      "every lane finishing a call",
    );

    const closing = pool.close({ graceMs: GRACE_MS }).then(() => {
      closeResolved = true;
    });
    closeBegan = true;
    // In flight, the generator can still be pulled within the grace.
    assert.deepEqual(await stream.next(), { done: false, value: 1 });
    await gate.releaseSome(RELEASED);

    const laneOutcomes = (await settles(Promise.all(lanes), "the lanes"))
      .flat();
    await settles(closing, "close()");
    const heldOutcomes = await Promise.all(held);
    const lateOutcomes = await Promise.all(late);

    // Every call settled exactly once: with its result or PoolClosed.
    assert.equal(settlements, calls);
    for (const outcome of [...laneOutcomes, ...heldOutcomes]) {
      assert.notEqual(
        outcome.kind,
        "other",
        `a call failed with ${outcome.kind === "other" && outcome.error}`,
      );
    }
    // The released calls finished within the grace; the rest were cancelled.
    const finished = heldOutcomes.filter(({ kind }) => kind === "result");
    assert.equal(finished.length, RELEASED);
    for (const outcome of finished) {
      assert.ok(
        outcome.kind === "result" && /^held \d$/.test(String(outcome.value)),
      );
    }
    await assert.rejects(stream.next(), PoolClosed);
    // Calls made once close() began were refused at once, not after it.
    assert.equal(lateOutcomes.length, LANES);
    for (const { outcome, beforeClose } of lateOutcomes) {
      assert.equal(outcome.kind, "closed");
      assert.ok(beforeClose, "a call made after close() waited for it");
    }
    assert.equal(pool.state, "closed");
    assert.deepEqual(pool.workers, []);
    for (const pid of pids) assert.ok(!isAlive(pid), `worker ${pid} runs`);
  });
}
