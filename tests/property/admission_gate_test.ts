import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import type {
  BackpressureHook,
  Task,
  Verdict,
} from "../../src/backpressure/types.ts";
import { AdmissionGate } from "../../src/worker/admission_gate.ts";
import { Docket, type DocketEntry } from "../../src/worker/docket.ts";

/** Long enough that no property run reaches it. */
const NO_TIMEOUT_MS = 60_000;

function task(id: string): Task {
  return { id, module: "file:///srv/tasks.ts", export: "work", args: [] };
}

/**
 * A docket that checks, at every entry, that it never holds more than
 * `limit` tasks, and that the entry was decided on a count no smaller than
 * the docket's size now (tasks may leave while a hook thinks, never enter).
 */
class CheckedDocket extends Docket {
  readonly limit: number;
  /** The count each task's hook saw, by entry. */
  readonly seen = new Map<DocketEntry, number>();
  peak = 0;

  constructor(limit: number) {
    super();
    this.limit = limit;
  }

  override add(entry: DocketEntry): void {
    const seen = this.seen.get(entry);
    assert.ok(seen !== undefined, "an entry entered without a decision");
    assert.ok(
      this.size <= seen,
      `the docket grew from ${seen} to ${this.size} while the hook decided`,
    );
    super.add(entry);
    this.peak = Math.max(this.peak, this.size);
    assert.ok(
      this.size <= this.limit,
      `${this.size} tasks in a docket capped at ${this.limit}`,
    );
  }
}

/** How the hook answers one task: at once, through the scheduler, or by throwing. */
type Latency = "sync" | "scheduled" | "throws";

/** One task of a burst: how its hook answers, and whether it ever finishes. */
interface Arrival {
  readonly latency: Latency;
  readonly finishes: boolean;
}

const arrival: fc.Arbitrary<Arrival> = fc.record({
  latency: fc.constantFrom<Latency>("sync", "scheduled", "scheduled", "throws"),
  finishes: fc.boolean(),
});

Deno.test("AdmissionGate never holds more than N tasks with a hook rejecting at N, whatever the hook latency and bursts, and decides in arrival order until it rejects one", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.scheduler(),
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.array(arrival, { minLength: 1, maxLength: 12 }), {
        minLength: 1,
        maxLength: 5,
      }),
      async (s, limit, bursts) => {
        const docket = new CheckedDocket(limit);
        const plans = new Map<string, Arrival>();
        const entries = new Map<string, DocketEntry>();
        const arrived: string[] = [];
        const decided: string[] = [];
        // Decisions taken up to and including the first rejection.
        let beforePressure = Number.POSITIVE_INFINITY;
        const hook: BackpressureHook = (ctx) => {
          const id = ctx.task.id;
          decided.push(id);
          assert.equal(ctx.activeTaskCount, docket.size);
          docket.seen.set(entries.get(id)!, ctx.activeTaskCount);
          const verdict: Verdict = ctx.activeTaskCount >= limit;
          if (verdict || plans.get(id)!.latency === "throws") {
            beforePressure = Math.min(beforePressure, decided.length);
          }
          switch (plans.get(id)!.latency) {
            case "sync":
              return verdict;
            case "throws":
              throw new Error("hook failed");
            case "scheduled":
              return s.schedule(Promise.resolve(verdict), id);
          }
        };
        const gate = new AdmissionGate({
          hook,
          timeoutMs: NO_TIMEOUT_MS,
          docket,
        });
        const outcomes: Promise<void>[] = [];
        let accepted = 0;
        let finished = 0;

        function admitOne(plan: Arrival): void {
          const id = `t${arrived.length}`;
          const entry: DocketEntry = { cancel() {}, docketSlot: -1 };
          plans.set(id, plan);
          entries.set(id, entry);
          arrived.push(id);
          const admission = Promise.resolve(gate.admit(task(id), entry));
          outcomes.push(admission.then((admission) => {
            if (!admission.accepted) return;
            assert.notEqual(plan.latency, "throws");
            accepted++;
            if (!plan.finishes) return;
            void s.schedule(Promise.resolve(), `finish ${id}`).then(() => {
              docket.remove(entry);
              finished++;
            });
          }));
        }

        for (const burst of bursts) {
          void s.schedule(Promise.resolve(), "burst").then(() => {
            for (const plan of burst) admitOne(plan);
          });
        }
        await s.waitIdle();
        // Under pressure a decision waits for the end of the turn (an
        // immediate the scheduler does not see): let turns pass, running
        // what each schedules, until every task is answered.
        let answered = false;
        const all = Promise.all(outcomes).then(() => answered = true);
        for (let turn = 0; !answered && turn < 10_000; turn++) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          await s.waitIdle();
        }
        await all;

        assert.deepEqual(
          decided.toSorted(),
          arrived.toSorted(),
          "every task decided once",
        );
        const inOrder = Math.min(beforePressure, arrived.length);
        assert.deepEqual(
          decided.slice(0, inOrder),
          arrived.slice(0, inOrder),
          "decisions in arrival order until the first rejection",
        );
        assert.ok(docket.peak <= limit);
        assert.equal(docket.size, accepted - finished);
      },
    ),
  );
});

Deno.test("AdmissionGate shows the hook the docket size as activeTaskCount, for any number of tasks in", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: 2000 }),
      fc.boolean(),
      async (count, asyncHook) => {
        const docket = new Docket();
        for (let i = 0; i < count; i++) {
          docket.add({ cancel() {}, docketSlot: -1 });
        }
        let seen: number | undefined;
        const gate = new AdmissionGate({
          hook: (ctx) => {
            seen = ctx.activeTaskCount;
            return asyncHook ? Promise.resolve(true) : true;
          },
          timeoutMs: NO_TIMEOUT_MS,
          docket,
        });
        const admission = await gate.admit(task("t"), {
          cancel() {},
          docketSlot: -1,
        });
        assert.equal(seen, count);
        assert.equal(admission.accepted, false);
        assert.equal(docket.size, count);
      },
    ),
  );
});
