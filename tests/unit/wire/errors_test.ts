import assert from "node:assert/strict";
import {
  decodeError,
  encodeError,
  fromErrorRecord,
  toErrorRecord,
} from "../../../src/wire/errors.ts";
import { RemoteError } from "../../../src/wire/remote_error.ts";
import { MessageTooLarge } from "../../../src/wire/message_too_large.ts";
import { ProtocolError } from "../../../src/wire/protocol_error.ts";
import { TaskLoadError } from "../../../src/wire/task_load_error.ts";
import { encodeValue } from "../../../src/wire/values.ts";
import { WoolError } from "../../../src/errors.ts";

function roundTrip(thrown: unknown): Error {
  return decodeError(encodeError(thrown));
}

Deno.test("decodeError() rebuilds each built-in error class as itself", () => {
  for (
    const Builtin of [
      Error,
      TypeError,
      RangeError,
      SyntaxError,
      ReferenceError,
      EvalError,
      URIError,
    ]
  ) {
    const error = roundTrip(new Builtin("bad input"));
    assert.equal(Object.getPrototypeOf(error), Builtin.prototype, Builtin.name);
    assert.equal(error.name, Builtin.name);
    assert.equal(error.message, "bad input");
  }
});

Deno.test("decodeError() rebuilds an unknown class as RemoteError with its name", () => {
  class QuotaExceeded extends Error {
    override name = "QuotaExceeded";
  }
  const original = new QuotaExceeded("over quota");
  const error = roundTrip(original);
  assert.ok(error instanceof RemoteError);
  assert.ok(error instanceof WoolError);
  assert.equal(error.name, "QuotaExceeded");
  assert.equal(error.remoteName, "QuotaExceeded");
  assert.equal(error.message, "over quota");
  assert.equal(error.stack, original.stack, "the remote stack is kept");
});

Deno.test("decodeError() keeps a nested cause chain", () => {
  const root = new RangeError("root");
  const middle = new Error("middle", { cause: root });
  const top = new TypeError("top", { cause: middle });
  const error = roundTrip(top);
  assert.ok(error instanceof TypeError);
  assert.ok(error.cause instanceof Error);
  assert.equal(error.cause.message, "middle");
  assert.ok((error.cause as Error).cause instanceof RangeError);
  assert.equal(((error.cause as Error).cause as Error).message, "root");
});

Deno.test("decodeError() keeps a cause that is not an error as the value", () => {
  const error = roundTrip(new Error("failed", { cause: { status: 503 } }));
  assert.deepStrictEqual(error.cause, { status: 503 });
});

Deno.test("encodeError() cuts a cyclic cause chain after 16 levels", () => {
  const loop = new Error("loop");
  loop.cause = loop;
  let error: unknown = roundTrip(loop);
  let levels = 0;
  while (error instanceof Error && "cause" in error) {
    levels++;
    error = error.cause;
  }
  assert.equal(levels, 16);
});

Deno.test("encodeError() keeps cloneable own properties and drops the others", () => {
  const error = Object.assign(new Error("failed"), {
    code: "E_QUOTA",
    details: new Map([["limit", 8]]),
    retry: () => {},
  });
  const copy = roundTrip(error) as Error & Record<string, unknown>;
  assert.equal(copy.code, "E_QUOTA");
  assert.deepStrictEqual(copy.details, new Map([["limit", 8]]));
  assert.ok(!Object.hasOwn(copy, "retry"));
});

Deno.test("encodeError() drops a property whose getter throws", () => {
  const error = new Error("failed");
  Object.defineProperty(error, "lazy", {
    enumerable: true,
    get() {
      throw new Error("not now");
    },
  });
  const copy = roundTrip(error);
  assert.equal(copy.message, "failed");
  assert.ok(!Object.hasOwn(copy, "lazy"));
});

Deno.test("encodeError() prints a cause that can be neither cloned nor String()ed", () => {
  const cause = Object.assign(Object.create(null), { retry: () => {} });
  const copy = roundTrip(new Error("failed", { cause }));
  assert.equal(copy.cause, "[object Object]");
});

Deno.test("decodeError() never lets a carried property replace a member of the error", () => {
  const record = {
    name: "Error",
    message: "failed",
    props: { toString: "shadowed", remoteName: "spoofed", code: 7 },
  };
  const error = fromErrorRecord(record) as Error & Record<string, unknown>;
  assert.equal(typeof error.toString, "function");
  assert.equal(error.code, 7);
  const remote = fromErrorRecord({ ...record, name: "Custom" });
  assert.ok(remote instanceof RemoteError);
  assert.equal(remote.remoteName, "Custom");
});

Deno.test("encodeError() carries a thrown non-error as an Error naming the value", () => {
  const error = roundTrip(42) as Error & { value?: unknown };
  assert.equal(Object.getPrototypeOf(error), Error.prototype);
  assert.equal(error.message, "Non-error value thrown: 42");
  assert.equal(error.value, 42);
  const record = toErrorRecord("plain");
  assert.equal(record.thrownValue, true);
});

Deno.test("encodeError() carries a thrown value it cannot print or clone", () => {
  const error = roundTrip(Object.assign(Object.create(null), { f() {} }));
  assert.equal(error.message, "Non-error value thrown");
  assert.ok(!Object.hasOwn(error, "value"));
});

Deno.test("decodeError() answers a ProtocolError for bytes that are not an error record", () => {
  for (const value of [null, 7, "Error", { message: "no name" }]) {
    const error = decodeError(encodeValue(value));
    assert.ok(error instanceof ProtocolError);
    assert.equal(error.message, "Cannot decode the error: not an error record");
  }
});

Deno.test("decodeError() rebuilds MessageTooLarge as itself, with its sizes", () => {
  const original = new MessageTooLarge('result of "big"', 2048, 1024);
  const error = roundTrip(original);
  assert.ok(error instanceof MessageTooLarge);
  assert.equal(error.size, 2048);
  assert.equal(error.limit, 1024);
  assert.equal(error.message, original.message);
});

Deno.test("decodeError() rebuilds a MessageTooLarge record without sizes as RemoteError", () => {
  const error = fromErrorRecord({ name: "MessageTooLarge", message: "big" });
  assert.ok(error instanceof RemoteError);
  assert.equal(error.name, "MessageTooLarge");
});

Deno.test("decodeError() rebuilds TaskLoadError as itself, with its module, export, message and cause", () => {
  const cause = new SyntaxError("Unexpected token");
  const original = new TaskLoadError(
    "file:///t.ts",
    "add",
    "the module cannot be imported: Unexpected token",
    { cause },
  );
  const error = roundTrip(original);
  assert.ok(error instanceof TaskLoadError, `got ${error}`);
  assert.equal(error.name, "TaskLoadError");
  assert.equal(error.module, "file:///t.ts");
  assert.equal(error.export, "add");
  assert.equal(error.message, original.message);
  assert.equal(error.stack, original.stack);
  assert.ok(error.cause instanceof SyntaxError);
});

Deno.test("decodeError() rebuilds ProtocolError as itself", () => {
  const error = roundTrip(new ProtocolError("A frame of no known kind"));
  assert.ok(error instanceof ProtocolError, `got ${error}`);
  assert.equal(error.message, "A frame of no known kind");
});

Deno.test("decodeError() rebuilds a task's own class named like a runtime error, without its fields, as RemoteError", () => {
  class TaskLoadError extends Error {
    override name = "TaskLoadError";
  }
  const error = roundTrip(new TaskLoadError("mine"));
  assert.ok(error instanceof RemoteError, `got ${error}`);
  assert.equal(error.name, "TaskLoadError");
  assert.equal(error.message, "mine");
});

Deno.test("encodeError() keeps own non-enumerable properties, rebuilt non-enumerable", () => {
  const original = new Error("invalid");
  Object.defineProperty(original, "issues", { value: [{ path: ["a"] }] });
  Object.defineProperty(original, "code", { value: "E_X", enumerable: true });
  const record = toErrorRecord(original);
  assert.deepStrictEqual(record.props, {
    issues: [{ path: ["a"] }],
    code: "E_X",
  });
  assert.deepStrictEqual(record.hidden, ["issues"]);
  const error = roundTrip(original) as Error & Record<string, unknown>;
  assert.deepStrictEqual(error.issues, [{ path: ["a"] }]);
  assert.deepStrictEqual(Object.keys(error), ["code"]);
});

Deno.test("encodeError() carries an own property named __proto__ as a property", () => {
  const original = new Error("odd");
  Object.defineProperty(original, "__proto__", {
    value: { polluted: true },
    enumerable: true,
  });
  const record = toErrorRecord(original);
  assert.ok(Object.hasOwn(record.props ?? {}, "__proto__"));
  assert.equal(Object.getPrototypeOf(record.props), Object.prototype);
  const error = roundTrip(original);
  assert.ok(error instanceof Error);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
