import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import {
  MAX_DURATION_MS,
  validatePoolOptions,
  type WorkerPoolOptions,
} from "../../src/pool/options.ts";

/** How each scalar option is checked. */
type Kind =
  | "integer"
  | "count"
  | "positiveDuration"
  | "duration"
  | "boolean"
  | "transport"
  | "loadBalancer"
  | "name";

const OPTIONS: Readonly<Record<string, Kind>> = {
  spawn: "integer",
  maxConcurrentDispatches: "integer",
  maxCallDepth: "count",
  maxMessageBytes: "integer",
  backpressureTimeoutMs: "positiveDuration",
  startTimeoutMs: "positiveDuration",
  admissionWaitMs: "duration",
  admissionWaitKey: "name",
  workerUnresponsiveMs: "duration",
  respawn: "boolean",
  allowKnownBadDeno: "boolean",
  transport: "transport",
  loadBalancer: "loadBalancer",
};

/**
 * Options with checks of their own, tested with their modules (the options
 * about discovered workers, which depend on each other, in
 * `unit/pool/discovery_options_test.ts`).
 */
const DELEGATED = [
  "backpressure",
  "worker",
  "recycle",
  "discovery",
  "credentials",
  "tags",
  "lease",
  "quorum",
  "quorumTimeoutMs",
];

/** Values of every type, each with the type names it counts as. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.bigInt(),
  fc.constant(Symbol("option")),
  fc.constant(() => 1),
  fc.array(fc.nat(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
  fc.double(),
  fc.integer(),
);

const DURATION_LIMIT = MAX_DURATION_MS;

/** Whether `value` is a valid value of an option of `kind`. */
function isValid(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case "integer":
      return Number.isSafeInteger(value) && (value as number) >= 1;
    case "count":
      return Number.isSafeInteger(value) && (value as number) >= 0;
    case "positiveDuration":
      return typeof value === "number" && Number.isFinite(value) &&
        value > 0 && value <= DURATION_LIMIT;
    case "duration":
      return typeof value === "number" && Number.isFinite(value) &&
        value >= 0 && value <= DURATION_LIMIT;
    case "boolean":
      return typeof value === "boolean";
    case "transport":
      return value === "session" || value === "dispatch";
    case "loadBalancer":
      return value !== null && typeof value === "object" &&
        typeof (value as { candidates?: unknown }).candidates === "function";
    case "name":
      return typeof value === "string" && value !== "";
  }
}

/** The error class a wrong value of `kind` must raise. */
function expectedClass(kind: Kind, value: unknown): ErrorConstructor {
  const numeric = kind === "integer" || kind === "count" ||
    kind.endsWith("uration");
  return numeric && typeof value === "number" ? RangeError : TypeError;
}

Deno.test("validatePoolOptions() knows exactly the options this test covers", () => {
  let message = "";
  try {
    validatePoolOptions({ notAnOption: 1 } as WorkerPoolOptions);
  } catch (error) {
    message = (error as Error).message;
  }
  const known = /\(known: (.*)\)$/.exec(message)?.[1].split(", ") ?? [];
  assert.deepStrictEqual(
    known.sort(),
    [...Object.keys(OPTIONS), ...DELEGATED].sort(),
  );
});

Deno.test("validatePoolOptions() rejects any invalid value with a TypeError or RangeError naming the option", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...Object.keys(OPTIONS)),
      anyValue,
      (name, value) => {
        const kind = OPTIONS[name];
        fc.pre(value !== undefined && !isValid(kind, value));
        assert.throws(
          () => validatePoolOptions({ [name]: value } as WorkerPoolOptions),
          (error: unknown) => {
            assert.ok(
              error instanceof expectedClass(kind, value),
              `${name}: ${String(error)}`,
            );
            assert.ok(
              (error as Error).message.startsWith(
                `Cannot start worker pool: "${name}" must be `,
              ),
              (error as Error).message,
            );
            return true;
          },
        );
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("validatePoolOptions() rejects numbers just outside each numeric range", () => {
  const edges: Record<string, number[]> = {
    integer: [0, -1, 1.5, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1],
    positiveDuration: [0, -0.5, NaN, Infinity, -Infinity, DURATION_LIMIT + 1],
    duration: [-Number.MIN_VALUE, NaN, Infinity, DURATION_LIMIT + 0.5],
  };
  for (const [name, kind] of Object.entries(OPTIONS)) {
    for (const value of edges[kind] ?? []) {
      assert.throws(
        () => validatePoolOptions({ [name]: value } as WorkerPoolOptions),
        (error: unknown) =>
          error instanceof RangeError && error.message.includes(`"${name}"`),
        `${name} = ${value}`,
      );
    }
  }
});

Deno.test("validatePoolOptions() accepts any valid value and keeps it", () => {
  const valid: Record<Kind, fc.Arbitrary<unknown>> = {
    integer: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    count: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    positiveDuration: fc.double({
      min: Number.MIN_VALUE,
      max: DURATION_LIMIT,
      noNaN: true,
    }),
    duration: fc.double({ min: 0, max: DURATION_LIMIT, noNaN: true }),
    boolean: fc.boolean(),
    transport: fc.constantFrom("session", "dispatch"),
    loadBalancer: fc.constant({ *candidates() {} }),
    name: fc.string({ minLength: 1 }),
  };
  fc.assert(
    fc.property(
      fc.constantFrom(...Object.keys(OPTIONS)).chain((name) =>
        fc.tuple(fc.constant(name), valid[OPTIONS[name]])
      ),
      ([name, value]) => {
        const resolved = validatePoolOptions(
          { [name]: value } as WorkerPoolOptions,
        );
        assert.ok(
          Object.is(
            (resolved as unknown as Record<string, unknown>)[name],
            value,
          ),
        );
      },
    ),
  );
});

Deno.test("validatePoolOptions() rejects any unknown key, naming it", () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 1 }).filter((key) =>
        !(key in OPTIONS) && !DELEGATED.includes(key) && key !== "__proto__"
      ),
      (key) => {
        assert.throws(
          () => validatePoolOptions({ [key]: 1 } as WorkerPoolOptions),
          (error: unknown) =>
            error instanceof TypeError &&
            error.message.startsWith(
              `Cannot start worker pool: unknown option "${key}"`,
            ),
        );
      },
    ),
  );
});
