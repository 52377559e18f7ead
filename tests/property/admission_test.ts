import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import { admit } from "../../src/backpressure/admission.ts";
import { createBackpressureContext } from "../../src/backpressure/context.ts";
import { normalizeBackpressureSpec } from "../../src/backpressure/spec.ts";
import type {
  Admission,
  BackpressureHook,
} from "../../src/backpressure/types.ts";

const CTX = createBackpressureContext(0, {
  id: "t-1",
  module: "file:///srv/tasks.ts",
  export: "add",
  args: [],
});

/** Long enough that no property run reaches it, short enough not to matter. */
const TIMEOUT_MS = 60_000;

/** What a hook does, and whether it does it synchronously. */
type Behaviour =
  | {
    readonly kind: "return";
    readonly value: unknown;
    readonly async: boolean;
  }
  | {
    readonly kind: "throw";
    readonly value: unknown;
    readonly async: boolean;
  };

/** Answers that are valid verdicts, mixed with arbitrary values. */
const answer: fc.Arbitrary<unknown> = fc.oneof(
  fc.boolean(),
  fc.record({ reject: fc.boolean() }),
  fc.record({ reject: fc.boolean(), reason: fc.string() }),
  fc.record(
    { reject: fc.anything(), reason: fc.anything() },
    { requiredKeys: [] },
  ),
  fc.anything({ withNullPrototype: true, withMap: true, withSet: true }),
);

/** Thrown values: errors of every built-in class, and arbitrary values. */
const thrown: fc.Arbitrary<unknown> = fc.oneof(
  fc.tuple(
    fc.constantFrom(Error, TypeError, RangeError, SyntaxError),
    fc.string(),
  ).map(([ErrorClass, message]) => new ErrorClass(message)),
  fc.anything({ withNullPrototype: true, withBigInt: true }),
);

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.record({
    kind: fc.constant("return" as const),
    value: answer,
    async: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("throw" as const),
    value: thrown,
    async: fc.boolean(),
  }),
);

function makeHook(b: Behaviour): BackpressureHook {
  if (b.kind === "return") {
    return b.async
      ? () => Promise.resolve(b.value as boolean)
      : () => b.value as boolean;
  }
  return b.async ? () => Promise.reject(b.value) : () => {
    throw b.value;
  };
}

/** Whether the hook answered a verdict that accepts the task. */
function accepts(b: Behaviour): boolean {
  if (b.kind === "throw") return false;
  const v = b.value;
  if (v === false) return true;
  if (typeof v !== "object" || v === null) return false;
  const { reject, reason } = v as { reject?: unknown; reason?: unknown };
  return reject === false &&
    (reason === undefined || typeof reason === "string");
}

/** Whether the hook answered a verdict that rejects the task. */
function rejects(b: Behaviour): boolean {
  if (b.kind === "throw") return false;
  const v = b.value;
  if (v === true) return true;
  if (typeof v !== "object" || v === null) return false;
  const { reject, reason } = v as { reject?: unknown; reason?: unknown };
  return reject === true &&
    (reason === undefined || typeof reason === "string");
}

function assertWellFormed(admission: Admission): void {
  assert.ok(Object.isFrozen(admission));
  if (admission.accepted) {
    assert.deepEqual(admission, { accepted: true });
    return;
  }
  assert.ok(
    ["hook", "hook-error", "hook-timeout", "stopping"].includes(
      admission.cause,
    ),
  );
  assert.equal(typeof admission.message, "string");
  assert.ok(admission.message.length > 0);
  if (admission.reason !== undefined) {
    assert.equal(typeof admission.reason, "string");
  }
}

Deno.test("admit() always answers an Admission, accepting iff the verdict accepts, whatever the hook does", async () => {
  await fc.assert(
    fc.asyncProperty(behaviour, async (b) => {
      let result: Admission | Promise<Admission>;
      try {
        result = admit(makeHook(b), CTX, TIMEOUT_MS);
      } catch (error) {
        assert.fail(`admit() threw: ${error}`);
      }
      assert.equal(result instanceof Promise, b.async);
      const admission = await result;
      assertWellFormed(admission);
      assert.equal(admission.accepted, accepts(b));
      if (!admission.accepted) {
        assert.equal(
          admission.cause,
          rejects(b) ? "hook" : "hook-error",
        );
      }
    }),
  );
});

Deno.test("admit() turns every throw or rejection into a hook-error", async () => {
  await fc.assert(
    fc.asyncProperty(thrown, fc.boolean(), async (value, async) => {
      const admission = await admit(
        makeHook({ kind: "throw", value, async }),
        CTX,
        TIMEOUT_MS,
      );
      assert.equal(admission.accepted, false);
      assert.equal(!admission.accepted && admission.cause, "hook-error");
      assert.match(
        !admission.accepted ? admission.message : "",
        /^Backpressure hook threw: /,
      );
    }),
  );
});

Deno.test("admit() keeps a rejecting hook's reason in the rejection", () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), (reason) => {
      const admission = admit(
        () => ({ reject: true, reason }),
        CTX,
        TIMEOUT_MS,
      ) as Admission;
      assert.deepEqual(admission, {
        accepted: false,
        cause: "hook",
        reason,
        message: `Rejected by backpressure hook: ${reason}`,
      });
    }),
  );
});

/** Values JSON cannot carry unchanged. */
const nonJsonLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(NaN, Infinity, -Infinity),
  fc.bigInt(),
  fc.string().map((s) => Symbol(s)),
  fc.func(fc.anything()),
  fc.constantFrom(new Map(), new Set(), new Date(0), /re/, new Uint8Array(1)),
);

/**
 * A JSON value with one non-JSON value planted somewhere inside. (A bare
 * `undefined` is left out: `options: undefined` means no options.)
 */
const nonJsonOptions: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((
  tie,
) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    nonJsonLeaf,
    fc.tuple(fc.array(fc.jsonValue(), { maxLength: 3 }), tie("node"), fc.nat())
      .map(([items, bad, at]) => {
        const array: unknown[] = [...items];
        array.splice(at % (array.length + 1), 0, bad);
        return array;
      }),
    fc.tuple(
      fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
      fc.string(),
      tie("node"),
    ).map(([dict, key, bad]) => ({ ...dict, [key]: bad })),
  ),
})).node.filter((options) => options !== undefined);

Deno.test("normalizeBackpressureSpec() rejects any non-JSON options with a TypeError naming backpressure.options", () => {
  fc.assert(
    fc.property(nonJsonOptions, (options) => {
      assert.throws(
        () =>
          normalizeBackpressureSpec({ module: "file:///srv/h.ts", options }),
        (error: unknown) => {
          assert.ok(error instanceof TypeError);
          assert.match(
            error.message,
            /^Cannot start worker pool: "backpressure\.options" must be a JSON value, received /,
          );
          return true;
        },
      );
    }),
  );
});

Deno.test("normalizeBackpressureSpec() keeps any JSON options as given", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (options) => {
      const spec = normalizeBackpressureSpec({
        module: "file:///srv/h.ts",
        options,
      });
      assert.equal(spec?.options, options);
    }),
  );
});

Deno.test("normalizeBackpressureSpec() rejects a cycle anywhere in the options", () => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
      fc.string(),
      (dict, key) => {
        const options: Record<string, unknown> = { ...dict };
        options[key] = [options];
        assert.throws(
          () =>
            normalizeBackpressureSpec({ module: "file:///srv/h.ts", options }),
          { name: "TypeError", message: /"backpressure\.options" .*a cycle/ },
        );
      },
    ),
  );
});
