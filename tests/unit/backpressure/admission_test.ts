import assert from "node:assert/strict";
import { admit, rejectStopping } from "../../../src/backpressure/admission.ts";
import { createBackpressureContext } from "../../../src/backpressure/context.ts";
import type {
  Admission,
  BackpressureHook,
} from "../../../src/backpressure/types.ts";
import rejectAll from "../../_fixtures/hooks/reject_all.ts";
import acceptAll from "../../_fixtures/hooks/accept_all.ts";
import withReason from "../../_fixtures/hooks/with_reason.ts";
import asyncReject from "../../_fixtures/hooks/async_reject.ts";
import throws from "../../_fixtures/hooks/throws.ts";
import rejects from "../../_fixtures/hooks/rejects.ts";
import hangs from "../../_fixtures/hooks/hangs.ts";
import records, { seen } from "../../_fixtures/hooks/records.ts";

const CTX = createBackpressureContext(1, {
  id: "t-1",
  module: "file:///srv/tasks.ts",
  export: "add",
  args: [1, 2],
});

/** A timeout no test waits out: a leaked timer would fail the sanitizer. */
const LONG_TIMEOUT_MS = 60_000;

const EXPECTED =
  "expected true, false, or { reject: boolean, reason?: string }";

/** Asserts `admit()` answered synchronously and returns the admission. */
function admitSync(hook: BackpressureHook | null): Admission {
  const admission = admit(hook, CTX, LONG_TIMEOUT_MS);
  assert.ok(!(admission instanceof Promise), "expected a synchronous answer");
  return admission;
}

/** Asserts `admit()` answered with a promise and awaits it. */
function admitAsync(
  hook: BackpressureHook,
  timeoutMs = LONG_TIMEOUT_MS,
): Promise<Admission> {
  const admission = admit(hook, CTX, timeoutMs);
  assert.ok(admission instanceof Promise, "expected a promise");
  return admission;
}

Deno.test("admit() accepts every task synchronously when there is no hook", () => {
  assert.deepEqual(admitSync(null), { accepted: true });
});

Deno.test("admit() accepts synchronously when a sync hook answers false or { reject: false }", () => {
  assert.deepEqual(admitSync(acceptAll), { accepted: true });
  assert.deepEqual(admitSync(() => ({ reject: false })), { accepted: true });
  assert.deepEqual(
    admitSync(() => ({ reject: false, reason: "ignored" })),
    { accepted: true },
  );
});

Deno.test("admit() rejects synchronously with cause hook when a sync hook answers true", () => {
  const admission = admitSync(rejectAll);
  assert.deepEqual(admission, {
    accepted: false,
    cause: "hook",
    message: "Rejected by backpressure hook",
  });
  assert.ok(!("reason" in admission));
  assert.deepEqual(admitSync(() => ({ reject: true })), admission);
});

Deno.test("admit() carries the hook's reason into the rejection and its message", () => {
  assert.deepEqual(admitSync(withReason), {
    accepted: false,
    cause: "hook",
    reason: "busy",
    message: "Rejected by backpressure hook: busy",
  });
});

Deno.test("admit() leaves an empty reason out of the rejection", () => {
  assert.deepEqual(admitSync(() => ({ reject: true, reason: "" })), {
    accepted: false,
    cause: "hook",
    message: "Rejected by backpressure hook",
  });
});

Deno.test("admit() passes the context itself to the hook", () => {
  seen.length = 0;
  admitSync(records);
  assert.equal(seen.length, 1);
  assert.equal(seen[0], CTX);
  seen.length = 0;
});

Deno.test("admit() turns a hook that throws into a hook-error rejection naming the error", () => {
  assert.deepEqual(admitSync(throws), {
    accepted: false,
    cause: "hook-error",
    message: "Backpressure hook threw: TypeError: boom",
  });
});

Deno.test("admit() names a thrown non-error value", () => {
  assert.deepEqual(
    admitSync(() => {
      throw "oops";
    }),
    {
      accepted: false,
      cause: "hook-error",
      message: 'Backpressure hook threw: "oops"',
    },
  );
  const nullProto = Object.create(null);
  const admission = admitSync(() => {
    throw nullProto;
  });
  assert.equal(admission.accepted, false);
  assert.equal(
    !admission.accepted && admission.message,
    "Backpressure hook threw: an object",
  );
});

Deno.test("admit() turns any other sync answer into a hook-error saying what was returned and what is expected", () => {
  const cases: [unknown, string][] = [
    [3, "3"],
    ["yes", '"yes"'],
    [null, "null"],
    [undefined, "undefined"],
    [[], 'an array whose "reject" is undefined'],
    [{}, 'an object whose "reject" is undefined'],
    [{ reject: "true" }, 'an object whose "reject" is "true"'],
    [{ reject: true, reason: 3 }, 'an object whose "reason" is 3'],
    [{ reject: false, reason: null }, 'an object whose "reason" is null'],
  ];
  for (const [answer, described] of cases) {
    assert.deepEqual(admitSync(() => answer as boolean), {
      accepted: false,
      cause: "hook-error",
      message: `Backpressure hook returned ${described}; ${EXPECTED}`,
    });
  }
});

Deno.test("admit() turns a verdict whose getter throws into a hook-error", () => {
  const verdict = {
    get reject(): boolean {
      throw new Error("getter");
    },
  };
  assert.deepEqual(admitSync(() => verdict), {
    accepted: false,
    cause: "hook-error",
    message: "Backpressure hook threw: Error: getter",
  });
});

Deno.test("admit() answers with a promise when the hook returns one, and decides on what it resolves to", async () => {
  assert.deepEqual(await admitAsync(() => Promise.resolve(false)), {
    accepted: true,
  });
  assert.deepEqual(await admitAsync(() => Promise.resolve({ reject: false })), {
    accepted: true,
  });
  assert.deepEqual(await admitAsync(() => Promise.resolve(true)), {
    accepted: false,
    cause: "hook",
    message: "Rejected by backpressure hook",
  });
  assert.deepEqual(await admitAsync(asyncReject), {
    accepted: false,
    cause: "hook",
    reason: "async busy",
    message: "Rejected by backpressure hook: async busy",
  });
});

Deno.test("admit() turns an async answer of the wrong shape into a hook-error saying what it resolved to", async () => {
  assert.deepEqual(
    await admitAsync(() => Promise.resolve(7 as unknown as boolean)),
    {
      accepted: false,
      cause: "hook-error",
      message: `Backpressure hook resolved to 7; ${EXPECTED}`,
    },
  );
});

Deno.test("admit() turns a hook whose promise rejects into a hook-error naming the error", async () => {
  assert.deepEqual(await admitAsync(rejects), {
    accepted: false,
    cause: "hook-error",
    message: "Backpressure hook threw: RangeError: async boom",
  });
});

Deno.test("admit() turns a hook that does not answer in time into a hook-timeout rejection", async () => {
  assert.deepEqual(await admitAsync(hangs, 1), {
    accepted: false,
    cause: "hook-timeout",
    message: "Backpressure hook did not answer within 1 ms",
  });
});

Deno.test("admit() states the timeout in its message", async () => {
  const admission = await admitAsync(hangs, 0);
  assert.equal(
    !admission.accepted && admission.message,
    "Backpressure hook did not answer within 0 ms",
  );
});

Deno.test("admit() clears its timer once the hook answers", async () => {
  // The test sanitizer fails this test if a 60 s timer is left behind.
  assert.deepEqual(
    await admitAsync(() => Promise.resolve(true), LONG_TIMEOUT_MS),
    {
      accepted: false,
      cause: "hook",
      message: "Rejected by backpressure hook",
    },
  );
  await admitAsync(rejects, LONG_TIMEOUT_MS);
});

Deno.test("admit() adopts a thenable that is not a promise", async () => {
  const thenable = {
    then(resolve: (verdict: boolean) => void) {
      resolve(true);
    },
  };
  const admission = await admitAsync(() => thenable as unknown as boolean);
  assert.equal(!admission.accepted && admission.cause, "hook");
});

Deno.test("admit() turns a thenable whose then() throws into a hook-error", async () => {
  const thenable = {
    then() {
      throw new Error("bad then");
    },
  };
  assert.deepEqual(await admitAsync(() => thenable as unknown as boolean), {
    accepted: false,
    cause: "hook-error",
    message: "Backpressure hook threw: Error: bad then",
  });
});

Deno.test("admit() turns a then getter that throws into a synchronous hook-error", () => {
  const answer = {
    get then(): unknown {
      throw new Error("bad getter");
    },
  };
  assert.deepEqual(admitSync(() => answer as unknown as boolean), {
    accepted: false,
    cause: "hook-error",
    message: "Backpressure hook threw: Error: bad getter",
  });
});

Deno.test("admit() returns frozen admissions", async () => {
  assert.ok(Object.isFrozen(admitSync(null)));
  assert.ok(Object.isFrozen(admitSync(withReason)));
  assert.ok(Object.isFrozen(admitSync(throws)));
  assert.ok(Object.isFrozen(await admitAsync(hangs, 0)));
});

Deno.test("rejectStopping() rejects with cause stopping", () => {
  assert.deepEqual(rejectStopping(), {
    accepted: false,
    cause: "stopping",
    message: "Worker is stopping and admits no new task",
  });
});
