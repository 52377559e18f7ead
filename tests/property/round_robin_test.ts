import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import type { Task } from "../../src/backpressure/types.ts";
import type {
  AttemptOutcome,
  WorkerId,
} from "../../src/loadbalancer/load_balancer.ts";
import { RoundRobinLoadBalancer } from "../../src/loadbalancer/round_robin.ts";
import { Roster } from "../../src/pool/roster.ts";
import { FakeConnection, fakeWorker, workerId } from "../_helpers/fakes.ts";

const TASK: Task = Object.freeze({
  id: "t",
  module: "file:///tasks.ts",
  export: "add",
  args: Object.freeze([]),
});

/** What the balancer should do, as the test tracks it. */
interface Model {
  /** Live workers, in the order they joined. */
  live: WorkerId[];
  /** Every worker that was ever evicted. */
  readonly evicted: Set<WorkerId>;
  nextId: number;
  /** The dispatch under way: the roster when it began, and whom it tried. */
  cycle:
    | { readonly roster: readonly WorkerId[]; readonly tried: Set<WorkerId> }
    | undefined;
  /** How the previous dispatch began: its first id, and the roster then. */
  lastStart:
    | { readonly first: WorkerId; readonly roster: readonly WorkerId[] }
    | undefined;
}

/** The real balancer over a real roster, and its dispatch under way. */
interface Real {
  readonly roster: Roster;
  readonly balancer: RoundRobinLoadBalancer;
  candidates: Iterator<WorkerId, void, AttemptOutcome | undefined> | undefined;
  step: IteratorResult<WorkerId, void> | undefined;
}

type RoundRobinCommand = fc.Command<Model, Real>;

function evict(model: Model, real: Real, id: WorkerId): void {
  real.roster.remove(id, "evicted");
  model.live = model.live.filter((live) => live !== id);
  model.evicted.add(id);
}

/** Begins a dispatch when none is under way, as the dispatcher does. */
function begin(model: Model, real: Real): void {
  if (model.cycle) return;
  const roster = [...real.roster.view.ids];
  assert.deepStrictEqual(roster, model.live);
  real.candidates = real.balancer.candidates(TASK, real.roster.view);
  real.step = real.candidates.next();
  model.cycle = { roster, tried: new Set() };
  if (roster.length === 0) {
    assert.equal(real.step.done, true, "no worker, no candidate");
    model.lastStart = undefined;
    return;
  }
  assert.equal(real.step.done, false, "a live worker is always offered");
  const first = real.step.value as WorkerId;
  checkOffered(model, first);
  const last = model.lastStart;
  if (last && last.roster.join() === roster.join()) {
    const expected = roster[(roster.indexOf(last.first) + 1) % roster.length];
    assert.equal(first, expected, "each dispatch starts one worker further on");
  }
  model.lastStart = { first, roster };
}

/**
 * Checked as the balancer yields it: the offered id must be live, never
 * evicted, not yet offered in this cycle, and part of the roster the cycle
 * began with.
 */
function checkOffered(model: Model, id: WorkerId): void {
  const cycle = model.cycle!;
  assert.ok(!model.evicted.has(id), `evicted ${id} offered again`);
  assert.ok(model.live.includes(id), `${id} is not live`);
  assert.ok(!cycle.tried.has(id), `${id} offered twice in one cycle`);
  assert.ok(cycle.roster.includes(id), `${id} joined after the cycle began`);
  cycle.tried.add(id);
}

/** Asks for the next candidate, and checks it as it comes. */
function advance(model: Model, real: Real, outcome?: AttemptOutcome): void {
  real.step = real.candidates!.next(outcome);
  if (!real.step.done) checkOffered(model, real.step.value as WorkerId);
}

/**
 * Begins a dispatch if needed, then skips, as the dispatcher does, an
 * offered worker that left since it was offered. Returns the id to try, or
 * `undefined` once the cycle is over.
 */
function nextToTry(model: Model, real: Real): WorkerId | undefined {
  begin(model, real);
  while (!real.step!.done) {
    const id = real.step!.value as WorkerId;
    if (model.live.includes(id)) return id;
    advance(model, real);
  }
  end(model);
  return undefined;
}

/** The cycle ended: exactly when every worker still live was tried. */
function end(model: Model): void {
  const cycle = model.cycle!;
  const untried = cycle.roster.filter((id) =>
    model.live.includes(id) && !cycle.tried.has(id)
  );
  assert.deepStrictEqual(untried, [], "the cycle ended before trying them");
  model.cycle = undefined;
}

class AddWorker implements RoundRobinCommand {
  check(model: Readonly<Model>): boolean {
    return model.live.length < 6;
  }
  run(model: Model, real: Real): void {
    const id = workerId(`w${model.nextId++}`);
    real.roster.add(
      fakeWorker(id, new FakeConnection(`127.0.0.1:${5000 + model.nextId}`)),
    );
    model.live.push(id);
  }
  toString(): string {
    return "add";
  }
}

class EvictWorker implements RoundRobinCommand {
  constructor(readonly pick: number) {}
  check(model: Readonly<Model>): boolean {
    return model.live.length > 0;
  }
  run(model: Model, real: Real): void {
    evict(model, real, model.live[this.pick % model.live.length]);
  }
  toString(): string {
    return `evict(${this.pick})`;
  }
}

class AttemptFails implements RoundRobinCommand {
  constructor(readonly evicts: boolean) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const id = nextToTry(model, real);
    if (id === undefined) return;
    if (this.evicts) evict(model, real, id);
    advance(model, real, {
      workerId: id,
      code: this.evicts ? "INTERNAL" : "RESOURCE_EXHAUSTED",
      evicted: this.evicts,
    });
  }
  toString(): string {
    return this.evicts ? "attempt fails, evicted" : "attempt fails";
  }
}

class AttemptAccepted implements RoundRobinCommand {
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    if (nextToTry(model, real) === undefined) return;
    real.candidates!.return?.();
    model.cycle = undefined;
  }
  toString(): string {
    return "attempt accepted";
  }
}

const commands = fc.commands([
  fc.constant(new AddWorker()),
  fc.nat().map((pick) => new EvictWorker(pick)),
  fc.boolean().map((evicts) => new AttemptFails(evicts)),
  fc.constant(new AttemptAccepted()),
], { maxCommands: 80 });

Deno.test("RoundRobinLoadBalancer tries each live worker once per cycle, ends the cycle when all were tried, never offers an evicted one, and rotates its start", () => {
  fc.assert(
    fc.property(commands, (cmds) => {
      fc.modelRun(() => ({
        model: {
          live: [],
          evicted: new Set<WorkerId>(),
          nextId: 1,
          cycle: undefined,
          lastStart: undefined,
        },
        real: {
          roster: new Roster(),
          balancer: new RoundRobinLoadBalancer(),
          candidates: undefined,
          step: undefined,
        },
      }), cmds);
    }),
    { numRuns: 2000 },
  );
});
