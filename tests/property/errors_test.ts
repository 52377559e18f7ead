import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import { decodeError, encodeError } from "../../src/wire/errors.ts";
import { RemoteError } from "../../src/wire/remote_error.ts";
import { encodeValue } from "../../src/wire/values.ts";

const BUILTINS = [
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
] as const;

/** Depth of the cause chain the codec keeps. */
const MAX_CAUSE_DEPTH = 16;

const cloneable: fc.Arbitrary<unknown> = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  maxDepth: 2,
});

/** Values structured clone refuses, including ones `String()` cannot print. */
const uncloneable: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(() => 1),
  fc.constant(Symbol("s")),
  fc.constant(new WeakSet()),
  fc.constant({ method() {} }),
  fc.constant(Object.assign(Object.create(null), { f: () => 1 })),
);

/**
 * Own property names an error can carry across: not the fields the record
 * has slots for, and not a name the rebuilt error already has (`in` it,
 * like `toString` or `__proto__`), which the codec never overwrites.
 */
const propKey: fc.Arbitrary<string> = fc.string({ minLength: 1 }).filter((
  key,
) =>
  !["name", "message", "stack", "cause", "remoteName"].includes(key) &&
  !(key in new Error())
);

interface ErrorSpec {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly props: Record<string, unknown>;
  /** Own non-enumerable properties (as `issues`, or Node's `code`). */
  readonly hidden: Record<string, unknown>;
  readonly dropped: Record<string, unknown>;
  readonly cause:
    | { readonly kind: "none" }
    | { readonly kind: "value"; readonly value: unknown }
    | { readonly kind: "error"; readonly error: ErrorSpec };
}

const name: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...BUILTINS.map((builtin) => builtin.name)),
  fc.string(),
);

const { error: errorSpec } = fc.letrec<{ error: ErrorSpec }>((tie) => ({
  error: fc.record({
    name,
    message: fc.string(),
    stack: fc.option(fc.string(), { nil: undefined }),
    props: fc.dictionary(propKey, cloneable, { maxKeys: 3 }),
    hidden: fc.dictionary(propKey, cloneable, { maxKeys: 2 }),
    dropped: fc.dictionary(propKey, uncloneable, { maxKeys: 2 }),
    cause: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constant({ kind: "none" as const }),
      fc.record({ kind: fc.constant("value" as const), value: cloneable }),
      fc.record({ kind: fc.constant("error" as const), error: tie("error") }),
    ),
  }),
}));

/** Builds the error a task would throw from its spec. */
function build(spec: ErrorSpec): Error {
  const Builtin = BUILTINS.find((builtin) => builtin.name === spec.name);
  const options = spec.cause.kind === "none" ? undefined : {
    cause: spec.cause.kind === "value"
      ? spec.cause.value
      : build(spec.cause.error),
  };
  const error = Builtin
    ? new Builtin(spec.message, options)
    : new Error(spec.message, options);
  if (!Builtin) error.name = spec.name;
  if (spec.stack === undefined) delete error.stack;
  else error.stack = spec.stack;
  Object.assign(error, spec.dropped, spec.props);
  for (const [key, value] of hiddenOnly(spec)) {
    Object.defineProperty(error, key, { value, writable: true });
  }
  return error;
}

/** The hidden properties of `spec` that no other property replaces. */
function hiddenOnly(spec: ErrorSpec): [string, unknown][] {
  return Object.entries(spec.hidden).filter(([key]) =>
    !Object.hasOwn(spec.props, key) && !Object.hasOwn(spec.dropped, key)
  );
}

/** Asserts that `decoded` is the error `spec` describes, `depth` levels down. */
function assertRebuilt(decoded: unknown, spec: ErrorSpec, depth: number): void {
  assert.ok(decoded instanceof Error);
  const Builtin = BUILTINS.find((builtin) => builtin.name === spec.name);
  if (Builtin) {
    assert.equal(
      Object.getPrototypeOf(decoded),
      Builtin.prototype,
      "a built-in keeps its class",
    );
  } else {
    assert.ok(
      decoded instanceof RemoteError,
      "an unknown class arrives as RemoteError",
    );
    assert.equal(decoded.remoteName, spec.name);
  }
  assert.equal(decoded.name, spec.name);
  assert.equal(decoded.message, spec.message);
  if (spec.stack !== undefined) assert.equal(decoded.stack, spec.stack);
  for (const [key, value] of Object.entries(spec.props)) {
    assert.deepStrictEqual(
      (decoded as unknown as Record<string, unknown>)[key],
      value,
      key,
    );
    assert.ok(Object.prototype.propertyIsEnumerable.call(decoded, key), key);
  }
  for (const [key, value] of hiddenOnly(spec)) {
    assert.deepStrictEqual(
      (decoded as unknown as Record<string, unknown>)[key],
      value,
      `hidden ${key}`,
    );
    assert.ok(
      !Object.prototype.propertyIsEnumerable.call(decoded, key),
      `hidden ${key} stays hidden`,
    );
  }
  for (const key of Object.keys(spec.dropped)) {
    if (key in spec.props) continue;
    assert.ok(!Object.hasOwn(decoded, key), `uncloneable "${key}" is dropped`);
  }
  if (spec.cause.kind === "none" || depth >= MAX_CAUSE_DEPTH) {
    assert.ok(!("cause" in decoded), "no cause past the depth limit");
  } else if (spec.cause.kind === "value") {
    assert.deepStrictEqual(decoded.cause, spec.cause.value);
  } else {
    assertRebuilt(decoded.cause, spec.cause.error, depth + 1);
  }
}

Deno.test("encodeError() and decodeError() keep name, message, stack, cause and cloneable own props, enumerable or not", () => {
  fc.assert(
    fc.property(errorSpec, (spec) => {
      assertRebuilt(decodeError(encodeError(build(spec))), spec, 0);
    }),
  );
});

Deno.test("encodeError() turns a cause it cannot clone into its string, without failing", () => {
  fc.assert(
    fc.property(name, fc.string(), uncloneable, (errorName, message, cause) => {
      const error = new Error(message, { cause });
      error.name = errorName;
      const decoded = decodeError(encodeError(error));
      assert.equal(decoded.message, message);
      assert.equal(typeof decoded.cause, "string");
    }),
  );
});

Deno.test("encodeError() carries a thrown non-error as an Error naming it, with the value kept", () => {
  fc.assert(
    fc.property(
      cloneable.filter((value) => !(value instanceof Error)),
      (value) => {
        const decoded = decodeError(encodeError(value));
        assert.equal(Object.getPrototypeOf(decoded), Error.prototype);
        assert.match(decoded.message, /^Non-error value thrown/);
        encodeValue(value);
        assert.deepStrictEqual(
          (decoded as Error & { value: unknown }).value,
          value,
        );
      },
    ),
  );
});

Deno.test("encodeError() carries a thrown value it cannot clone without failing", () => {
  fc.assert(
    fc.property(uncloneable, (value) => {
      const decoded = decodeError(encodeError(value));
      assert.equal(decoded.name, "Error");
      assert.match(decoded.message, /^Non-error value thrown/);
      assert.ok(!Object.hasOwn(decoded, "value"));
    }),
  );
});
