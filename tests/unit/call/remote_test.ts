import assert from "node:assert/strict";
import type { RemoteCall } from "../../../src/call/remote_call.ts";
import { createRemote } from "../../../src/call/remote.ts";

interface Tasks {
  add(a: number, b: number): Promise<number>;
  count(n: number): AsyncGenerator<number>;
  readonly version: string;
}

function recording() {
  const calls: [string, unknown[]][] = [];
  const remote = createRemote<Tasks>((exportName, args) => {
    calls.push([exportName, args]);
    return `call ${calls.length}` as unknown as RemoteCall<unknown>;
  });
  return { calls, remote };
}

Deno.test("createRemote() turns each property into a function that dispatches that export", () => {
  const { calls, remote } = recording();
  const first = remote.add(1, 2);
  const second = remote.count(3);
  assert.deepStrictEqual(calls, [["add", [1, 2]], ["count", [3]]]);
  assert.deepStrictEqual([first, second], ["call 1", "call 2"]);
});

Deno.test("createRemote() hands out the same function for an export every time", () => {
  const { remote } = recording();
  assert.equal(remote.add, remote.add);
  assert.notEqual(remote.add, remote.count);
});

Deno.test("createRemote() proxies are not thenable, so awaiting one yields it", async () => {
  const { calls, remote } = recording();
  assert.equal((remote as unknown as { then?: unknown }).then, undefined);
  assert.equal(await remote, remote);
  assert.deepStrictEqual(calls, []);
});

Deno.test("createRemote() gives nothing for symbol properties", () => {
  const { remote } = recording();
  const target = remote as unknown as Record<symbol, unknown>;
  assert.equal(target[Symbol.iterator], undefined);
  assert.equal(target[Symbol.toPrimitive], undefined);
});

Deno.test("createRemote() traps only get: the proxy cannot be changed and lists nothing", () => {
  const { calls, remote } = recording();
  const target = remote as unknown as Record<string, unknown>;
  assert.throws(() => {
    target.add = () => 0;
  }, TypeError);
  assert.throws(
    () => Object.defineProperty(remote, "x", { value: 1 }),
    TypeError,
  );
  assert.deepStrictEqual(Object.keys(remote), []);
  assert.equal("add" in remote, false);
  assert.ok(Object.isFrozen(remote));
  assert.deepStrictEqual(calls, []);
});
