import assert from "node:assert/strict";
import { staticDiscovery } from "../../../src/discovery/static.ts";
import { DiscoveryWatch } from "../../_helpers/discovery_watch.ts";
import { runDiscoveryConformance } from "./_conformance.ts";

runDiscoveryConformance({
  name: "staticDiscovery",
  allowsEmpty: false,
  start: (addresses) =>
    Promise.resolve({
      discovery: staticDiscovery(addresses),
      [Symbol.asyncDispose]: () => Promise.resolve(),
    }),
});

Deno.test("staticDiscovery keys each worker by its address, IPv6 in brackets", async () => {
  await using watch = new DiscoveryWatch(
    staticDiscovery(["[::1]:5001", "worker-0.workers:5001", "127.0.0.2:1"]),
  );
  await watch.synced();
  assert.deepStrictEqual(
    [...watch.known.values()],
    [
      { key: "[::1]:5001", address: "[::1]:5001" },
      { key: "worker-0.workers:5001", address: "worker-0.workers:5001" },
      { key: "127.0.0.2:1", address: "127.0.0.2:1" },
    ],
  );
  assert.deepStrictEqual(watch.events.map((event) => event.type), [
    "added",
    "added",
    "added",
    "synced",
  ]);
});

Deno.test("staticDiscovery rejects a list that is not an array of strings, naming it", () => {
  for (const bad of [undefined, null, "127.0.0.2:5001", 5001, { 0: "a" }]) {
    assert.throws(
      // @ts-expect-error: not a list of strings
      () => staticDiscovery(bad),
      (error: unknown) =>
        error instanceof TypeError &&
        /addresses must be an array of "host:port" strings/.test(error.message),
    );
  }
  assert.throws(
    // @ts-expect-error: an entry is not a string
    () => staticDiscovery(["127.0.0.2:5001", 5002]),
    {
      name: "TypeError",
      message: /addresses\[1\] must be a "host:port" string, received 5002/,
    },
  );
});

Deno.test("staticDiscovery rejects an entry that is not a host:port, naming the entry", () => {
  const cases: [string, RegExp][] = [
    ["127.0.0.2", /no :port/],
    ["http://127.0.0.2:5001", /it is a URL; give host:port only/],
    ["::1:5001", /IPv6 host must be in brackets/],
    ["[127.0.0.1]:5001", /bracketed host must be an IPv6 address/],
    ["127.0.0.2:http", /port "http" is not a decimal number/],
    ["bad_host!:5001", /is not an IP address or name/],
    [":5001", /is not an IP address or name/],
  ];
  for (const [entry, reason] of cases) {
    assert.throws(
      () => staticDiscovery(["127.0.0.3:5001", entry]),
      (error: unknown) =>
        error instanceof TypeError &&
        error.message.includes(`addresses[1] ${JSON.stringify(entry)}`) &&
        reason.test(error.message),
      entry,
    );
  }
});

Deno.test("staticDiscovery rejects an empty list, a port out of range and a duplicate with RangeError", () => {
  assert.throws(() => staticDiscovery([]), {
    name: "RangeError",
    message: /at least one worker/,
  });
  for (const entry of ["127.0.0.2:0", "127.0.0.2:65536", "127.0.0.2:99999"]) {
    assert.throws(() => staticDiscovery([entry]), {
      name: "RangeError",
      message: new RegExp(`addresses\\[0\\] "${entry}".*out of range`),
    });
  }
  assert.throws(
    () =>
      staticDiscovery(["127.0.0.2:5001", "127.0.0.3:5001", "127.0.0.2:5001"]),
    {
      name: "RangeError",
      message: /addresses\[2\] "127.0.0.2:5001" is listed twice/,
    },
  );
});
