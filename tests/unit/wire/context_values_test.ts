import assert from "node:assert/strict";
import {
  contextBytes,
  decodeContext,
  encodeContext,
} from "../../../src/wire/context_values.ts";

Deno.test("encodeContext() and decodeContext() carry each variable by name, even __proto__", () => {
  const snapshot = Object.fromEntries([
    ["tenant", "acme"],
    ["limits", new Map([["cpu", 2]])],
    ["__proto__", 7],
  ]);
  const decoded = decodeContext(encodeContext(snapshot));
  assert.ok(decoded !== undefined);
  assert.ok(Object.isFrozen(decoded));
  assert.deepEqual(Object.keys(decoded), ["tenant", "limits", "__proto__"]);
  assert.equal(decoded.tenant, "acme");
  assert.deepEqual(decoded.limits, new Map([["cpu", 2]]));
  assert.equal(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value, 7);
});

Deno.test("encodeContext() of no variables is empty, and decodeContext() of it is undefined", () => {
  const encoded = encodeContext({});
  assert.deepEqual(encoded, {});
  assert.equal(contextBytes(encoded), 0);
  assert.equal(decodeContext(encoded), undefined);
  assert.equal(decodeContext(undefined), undefined);
});

Deno.test("encodeContext() names the variable whose value cannot be serialized", () => {
  assert.throws(
    () => encodeContext({ ok: 1, handler: () => 1 }),
    (error: unknown) =>
      error instanceof TypeError &&
      error.message.startsWith(
        'Cannot serialize the context variable "handler"',
      ),
  );
});

Deno.test("decodeContext() names the variable whose bytes cannot be decoded", () => {
  assert.throws(
    () => decodeContext({ tenant: new Uint8Array([0xff, 0x0f, 0x99]) }),
    (error: unknown) =>
      error instanceof TypeError &&
      error.message.startsWith('Cannot decode context variable "tenant"'),
  );
});

Deno.test("contextBytes() counts each value's bytes and its name", () => {
  const encoded = encodeContext({ ab: "x" });
  assert.equal(contextBytes(encoded), 6 + encoded.ab.length);
});
