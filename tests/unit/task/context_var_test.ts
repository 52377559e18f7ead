import assert from "node:assert/strict";
import {
  captureContext,
  ContextVar,
  contextVars,
  ContextVarUnset,
} from "../../../src/task/context_var.ts";
import {
  currentTaskContext,
  runInTaskScope,
  type TaskScope,
  taskSignal,
} from "../../../src/task/task_context.ts";
import { WoolError } from "../../../src/errors.ts";

/** The scope a worker runs a task in, from its caller's record. */
function taskScope(snapshot?: Readonly<Record<string, unknown>>): TaskScope {
  return { task: undefined, vars: contextVars(snapshot) };
}

/** Runs `fn` as a worker runs a task whose caller captured `snapshot`. */
function runAsTask<R>(
  snapshot: Readonly<Record<string, unknown>>,
  fn: () => R,
): R {
  return runInTaskScope(taskScope(snapshot), fn);
}

/** What `fn` throws; fails the test when it returns. */
function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof Error, String(error));
    return error;
  }
  return assert.fail("expected a throw");
}

/** A promise and the function that resolves it, to order two tasks' steps. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => open = resolve);
  return { promise, open };
}

Deno.test("ContextVar.run() sets the value for the call tree, across awaits", async () => {
  const tenant = new ContextVar<string>("cv-run-tenant");
  const seen = await tenant.run("acme", async () => {
    await Promise.resolve();
    // A macrotask hop: the value must survive a timer callback too.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return tenant.get();
  });
  assert.equal(seen, "acme");
  assert.equal(tenant.isSet(), false);
});

Deno.test("ContextVar.get() returns the default where unset, and throws ContextVarUnset without one", () => {
  const withDefault = new ContextVar<number>("cv-get-default", { default: 7 });
  const without = new ContextVar<number>("cv-get-none");
  assert.equal(withDefault.get(), 7);
  const error = thrownBy(() => without.get());
  assert.ok(error instanceof ContextVarUnset);
  assert.ok(error instanceof WoolError);
  assert.equal(error.name, "ContextVarUnset");
  assert.equal(error.variable, "cv-get-none");
  assert.match(error.message, /"cv-get-none" has no value here/);
});

Deno.test("ContextVar.get() returns undefined when that is the value, not the default", () => {
  const value = new ContextVar<string | undefined>("cv-undefined", {
    default: "fallback",
  });
  assert.equal(value.run(undefined, () => value.get()), undefined);
});

Deno.test("ContextVar.set() inside run() stays in that run", () => {
  const step = new ContextVar<number>("cv-set-step", { default: 0 });
  step.run(1, () => {
    step.set(2);
    assert.equal(step.get(), 2);
    step.run(3, () => {
      step.set(4);
      assert.equal(step.get(), 4);
    });
    assert.equal(step.get(), 2, "an inner run's set leaked out");
  });
  assert.equal(step.get(), 0, "a run's set leaked out");
});

Deno.test("ContextVar.run() copies the context: other variables set inside do not leak out", () => {
  const a = new ContextVar<string>("cv-copy-a");
  const b = new ContextVar<string>("cv-copy-b", { default: "none" });
  a.run("x", () => {
    b.set("set inside");
    assert.equal(b.get(), "set inside");
  });
  assert.equal(b.get(), "none");
});

Deno.test("ContextVar.set() in concurrent tasks does not leak between them", async () => {
  const tenant = new ContextVar<string>("cv-concurrent");
  const firstSet = latch();
  const secondSet = latch();
  const first = runAsTask({ "cv-concurrent": "acme" }, async () => {
    tenant.set("acme-changed");
    firstSet.open();
    await secondSet.promise;
    return tenant.get();
  });
  const second = runAsTask({ "cv-concurrent": "globex" }, async () => {
    await firstSet.promise;
    const before = tenant.get();
    tenant.set("globex-changed");
    secondSet.open();
    await Promise.resolve();
    return [before, tenant.get()];
  });
  assert.equal(await first, "acme-changed");
  assert.deepEqual(await second, ["globex", "globex-changed"]);
  assert.equal(tenant.isSet(), false);
});

Deno.test("ContextVar objects with the same name are one variable; defaults stay per object", () => {
  const one = new ContextVar<string>("cv-same-name", { default: "one" });
  const two = new ContextVar<string>("cv-same-name", { default: "two" });
  assert.equal(one.get(), "one");
  assert.equal(two.get(), "two");
  assert.equal(one.run("shared", () => two.get()), "shared");
});

Deno.test("ContextVar from a second copy of the module sees the same values", async () => {
  const copy = await import("../../../src/task/context_var.ts?second-copy");
  assert.notEqual(copy.ContextVar, ContextVar, "not a second copy");
  const here = new ContextVar<string>("cv-two-copies");
  const there = new copy.ContextVar("cv-two-copies");
  assert.equal(here.run("from here", () => there.get()), "from here");
  assert.deepEqual(
    there.run("from there", () => captureContext()),
    { "cv-two-copies": "from there" },
  );
});

Deno.test("ContextVar() rejects a name that is not a non-empty string", () => {
  assert.throws(() => new ContextVar(""), TypeError);
  assert.throws(
    () => new ContextVar(42 as unknown as string),
    /must be a non-empty string, received number/,
  );
});

Deno.test("captureContext() returns every set value, without defaults, frozen", () => {
  const tenant = new ContextVar<string>("cv-capture-tenant");
  const limits = new ContextVar<Map<string, number>>("cv-capture-limits");
  const unset = new ContextVar<string>("cv-capture-unset", { default: "d" });
  const snapshot = tenant.run(
    "acme",
    () => limits.run(new Map([["cpu", 2]]), () => captureContext()),
  );
  assert.deepEqual(snapshot, {
    "cv-capture-tenant": "acme",
    "cv-capture-limits": new Map([["cpu", 2]]),
  });
  assert.ok(Object.isFrozen(snapshot));
  assert.equal(unset.get(), "d");
});

Deno.test("captureContext() fails with a TypeError naming a variable whose value cannot be serialized", () => {
  const callback = new ContextVar<() => void>("cv-capture-fn");
  const error = thrownBy(() => callback.run(() => {}, () => captureContext()));
  assert.ok(error instanceof TypeError);
  assert.match(
    error.message,
    /^Cannot send context variable "cv-capture-fn": its value cannot be serialized/,
  );
  assert.ok(error.cause instanceof Error);
  const symbol = new ContextVar<symbol>("cv-capture-symbol");
  assert.throws(
    () => symbol.run(Symbol("s"), () => captureContext()),
    /"cv-capture-symbol"/,
  );
});

Deno.test("A task's scope holds exactly its caller's variables", () => {
  const outer = new ContextVar<string>("cv-rwc-outer");
  const inner = new ContextVar<string>("cv-rwc-inner");
  outer.run("caller's", () => {
    runAsTask({ "cv-rwc-inner": "task's" }, () => {
      assert.equal(inner.get(), "task's");
      assert.equal(outer.isSet(), false);
    });
  });
});

Deno.test("contextVars() makes nothing for a caller that set no variable", () => {
  assert.equal(contextVars(undefined), undefined);
  assert.equal(contextVars({}), undefined);
  assert.deepEqual(contextVars({ a: 1 }), new Map([["a", 1]]));
});

Deno.test("A task's scope keeps a task's sets from one step to the next", async () => {
  const count = new ContextVar<number>("cv-scope-count");
  async function* counter(): AsyncGenerator<number> {
    while (true) {
      count.set(count.get() + 1);
      yield count.get();
    }
  }
  const scope = taskScope({ "cv-scope-count": 10 });
  const other = taskScope({ "cv-scope-count": 100 });
  const steps = runInTaskScope(scope, () => counter());
  assert.equal((await runInTaskScope(scope, () => steps.next())).value, 11);
  assert.equal(await runInTaskScope(other, () => count.get()), 100);
  assert.equal((await runInTaskScope(scope, () => steps.next())).value, 12);
  assert.equal(runInTaskScope(scope, () => count.get()), 12);
  await runInTaskScope(scope, () => steps.return(undefined));
});

Deno.test("A task whose caller set no variable keeps its first set from one step to the next, and no other task sees it", async () => {
  const mark = new ContextVar<string>("cv-scope-lazy", { default: "none" });
  const scope = taskScope();
  const other = taskScope();
  assert.equal(scope.vars, undefined);
  await runInTaskScope(scope, async () => {
    await Promise.resolve();
    mark.set("first step");
  });
  assert.equal(runInTaskScope(scope, () => mark.get()), "first step");
  assert.equal(runInTaskScope(other, () => mark.get()), "none");
  assert.equal(mark.get(), "none");
});

Deno.test("ContextVar.run() inside a task keeps the task's context; captureContext() there sees the run's value", () => {
  const controller = new AbortController();
  const task = { id: "task-1", signal: controller.signal };
  const tenant = new ContextVar<string>("cv-in-task");
  runInTaskScope({ task, vars: undefined }, () => {
    assert.deepEqual(captureContext(), {});
    tenant.run("acme", () => {
      assert.equal(currentTaskContext(), task);
      assert.equal(taskSignal(), controller.signal);
      assert.deepEqual(captureContext(), { "cv-in-task": "acme" });
    });
    assert.equal(tenant.isSet(), false);
  });
  assert.equal(currentTaskContext(), undefined);
});

Deno.test("captureContext() and contextVars() keep a variable named __proto__ as a variable", () => {
  const odd = new ContextVar<string>("__proto__");
  const snapshot = odd.run("value", () => captureContext());
  assert.deepEqual(Object.keys(snapshot), ["__proto__"]);
  assert.equal(Object.getPrototypeOf(snapshot), Object.prototype);
  assert.equal(runAsTask(snapshot, () => odd.get()), "value");
});
