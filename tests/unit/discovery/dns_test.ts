import assert from "node:assert/strict";
import { dnsDiscovery } from "../../../src/discovery/dns.ts";
import {
  type DnsResolver,
  lookupWorkers,
} from "../../../src/discovery/_dns_lookup.ts";

/** A resolver answering from tables; a missing entry is NotFound. */
function fakeResolver(
  srv: Deno.SrvRecord[] | Error,
  hosts: Record<string, { A?: string[] | Error; AAAA?: string[] | Error }>,
): DnsResolver {
  const answer = <T>(
    value: T | Error | undefined,
    what: string,
  ): Promise<T> => {
    if (value instanceof Error) return Promise.reject(value);
    if (value === undefined) {
      return Promise.reject(new Deno.errors.NotFound(`no records for ${what}`));
    }
    return Promise.resolve(value);
  };
  return {
    srv: (name) => answer(srv, name),
    addresses: (host, type) => answer(hosts[host]?.[type], `${host} ${type}`),
  };
}

const record = (target: string, port: number): Deno.SrvRecord => ({
  priority: 0,
  weight: 0,
  port,
  target,
});

const NAME = "_wool._tcp.workers.test";
const signal = new AbortController().signal;

Deno.test("lookupWorkers reads an SRV NotFound as an empty set, not a failure", async () => {
  const round = await lookupWorkers(fakeResolver([], {}), NAME, [], signal);
  assert.deepStrictEqual(round, { ok: true, workers: [], failures: [] });
  const missing = await lookupWorkers(
    {
      ...fakeResolver([], {}),
      srv: () => Promise.reject(new Deno.errors.NotFound("nx")),
    },
    NAME,
    [],
    signal,
  );
  assert.deepStrictEqual(missing, { ok: true, workers: [], failures: [] });
});

Deno.test("lookupWorkers fails the round when the SRV query fails otherwise", async () => {
  const timedOut = new Deno.errors.TimedOut("request timed out");
  const round = await lookupWorkers(
    fakeResolver(timedOut, {}),
    NAME,
    [],
    signal,
  );
  assert.deepStrictEqual(round, { ok: false, error: timedOut });
});

Deno.test("lookupWorkers makes one worker per address and port, A and AAAA, without duplicates", async () => {
  const round = await lookupWorkers(
    fakeResolver(
      [
        record("a.test.", 5001),
        record("b.test.", 5001),
        record("a.test.", 5002),
        record("127.0.0.9", 7),
      ],
      {
        "a.test": { A: ["127.0.0.2"], AAAA: ["::1"] },
        "b.test": { A: ["127.0.0.2"] },
      },
    ),
    NAME,
    [],
    signal,
  );
  assert.ok(round.ok);
  assert.deepStrictEqual(round.workers.map((worker) => worker.key), [
    "127.0.0.2:5001",
    "[::1]:5001",
    "127.0.0.2:5002",
    "[::1]:5002",
    "127.0.0.9:7",
  ]);
  assert.equal(round.workers[0].serverName, "a.test");
  assert.deepStrictEqual(round.failures, []);
});

Deno.test("lookupWorkers keeps the last workers of a target whose address query fails", async () => {
  const first = await lookupWorkers(
    fakeResolver([record("a.test", 5001), record("b.test", 5001)], {
      "a.test": { A: ["127.0.0.2"] },
      "b.test": { A: ["127.0.0.3"] },
    }),
    NAME,
    [],
    signal,
  );
  assert.ok(first.ok);
  const broken = new Deno.errors.TimedOut("request timed out");
  const second = await lookupWorkers(
    fakeResolver([record("a.test", 5001), record("b.test", 5001)], {
      "a.test": { A: ["127.0.0.4"] },
      "b.test": { A: broken },
    }),
    NAME,
    first.workers,
    signal,
  );
  assert.ok(second.ok);
  assert.deepStrictEqual(second.workers.map((worker) => worker.key).sort(), [
    "127.0.0.3:5001",
    "127.0.0.4:5001",
  ]);
  assert.deepStrictEqual(second.failures, [{
    target: "b.test",
    error: broken,
  }]);
});

Deno.test("dnsDiscovery rejects bad options with an error naming the option", () => {
  const cases: [unknown, string, RegExp][] = [
    [undefined, "TypeError", /options must be an object/],
    [{}, "TypeError", /"name" must be a DNS name, received undefined/],
    [{ name: "has space.test" }, "TypeError", /"name" must be a DNS name/],
    [
      { name: NAME, nameServer: "127.0.0.1" },
      "TypeError",
      /"nameServer" must be an object/,
    ],
    [
      { name: NAME, nameServer: { ipAddr: "dns.test" } },
      "TypeError",
      /"nameServer.ipAddr" must be an IP address/,
    ],
    [
      { name: NAME, nameServer: { ipAddr: "127.0.0.1", port: "53" } },
      "TypeError",
      /"nameServer.port" must be a number/,
    ],
    [
      { name: NAME, nameServer: { ipAddr: "127.0.0.1", port: 0 } },
      "RangeError",
      /"nameServer.port" must be an integer from 1 to 65535, received 0/,
    ],
    [
      { name: NAME, intervalMs: "5s" },
      "TypeError",
      /"intervalMs" must be a number/,
    ],
    [
      { name: NAME, intervalMs: 0 },
      "RangeError",
      /"intervalMs" must be an integer from 1/,
    ],
    [{ name: NAME, intervalMs: 1.5 }, "RangeError", /"intervalMs"/],
    [{ name: NAME, timeoutMs: -1 }, "RangeError", /"timeoutMs"/],
  ];
  for (const [options, name, message] of cases) {
    assert.throws(
      // @ts-expect-error: deliberately wrong options
      () => dnsDiscovery(options),
      (error: unknown) =>
        error instanceof Error && error.name === name &&
        /^Cannot create DNS discovery: /.test(error.message) &&
        message.test(error.message),
      JSON.stringify(options),
    );
  }
});

Deno.test("dnsDiscovery accepts a name, an IPv6 name server, and durations", () => {
  const discovery = dnsDiscovery({
    name: NAME,
    nameServer: { ipAddr: "::1", port: 5353 },
    intervalMs: 1,
    timeoutMs: 2 ** 31 - 1,
  });
  assert.equal(typeof discovery.subscribe, "function");
});
