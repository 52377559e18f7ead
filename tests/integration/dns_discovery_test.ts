/**
 * `dnsDiscovery` against a real DNS server (Debian's dnsmasq on a loopback
 * port), with records changing while a subscription runs: the shared
 * conformance suite, then DNS's own rules (IPv6 targets, a name that stops
 * existing, a server that stops answering).
 *
 * @module
 */
import assert from "node:assert/strict";
import { dnsDiscovery } from "../../src/discovery/dns.ts";
import type { DiscoveredWorker } from "../../src/discovery/discovery.ts";
import { DiscoveryWatch } from "../_helpers/discovery_watch.ts";
import { Dnsmasq, type DnsRecords, ZONE } from "../_helpers/dnsmasq.ts";
import { DNSMASQ, ignoreWithout } from "../_helpers/engines.ts";
import { runDiscoveryConformance } from "../unit/discovery/_conformance.ts";

const ignore = ignoreWithout(DNSMASQ);
/** Short rounds, so changes show quickly; a failed query gives up soon. */
const TIMING = { intervalMs: 100, timeoutMs: 1000 };

/** One target per address: `w-127-0-0-2-5001.workers.test`. */
function recordsOf(addresses: Iterable<string>): DnsRecords {
  const srv = [];
  const hosts: Record<string, string[]> = {};
  for (const address of addresses) {
    const [ip, port] = address.split(":");
    const target = `w-${address.replace(/[.:]/g, "-")}.${ZONE}`;
    srv.push({ target, port: Number(port) });
    hosts[target] = [ip];
  }
  return { srv, hosts };
}

function discoveryOf(dns: Dnsmasq) {
  return dnsDiscovery({
    name: dns.name,
    nameServer: dns.nameServer,
    ...TIMING,
  });
}

runDiscoveryConformance({
  name: "dnsDiscovery (dnsmasq)",
  ignore,
  allowsEmpty: true,
  removalReason: "withdrawn",
  async start(addresses) {
    const current = new Set(addresses);
    const dns = await Dnsmasq.start(recordsOf(current));
    return {
      discovery: discoveryOf(dns),
      async add(address) {
        current.add(address);
        await dns.serve(recordsOf(current));
      },
      async remove(address) {
        current.delete(address);
        await dns.serve(recordsOf(current));
      },
      [Symbol.asyncDispose]: () => dns.stop(),
    };
  },
});

Deno.test({
  name:
    "dnsDiscovery reports each address of a target, IPv6 in brackets, with the target as serverName",
  ignore,
  async fn() {
    await using dns = await Dnsmasq.start({
      srv: [
        { target: `w1.${ZONE}`, port: 5001, priority: 1, weight: 10 },
        { target: `w2.${ZONE}`, port: 5002 },
      ],
      hosts: {
        [`w1.${ZONE}`]: ["127.0.0.2"],
        [`w2.${ZONE}`]: ["127.0.0.3", "::1"],
      },
    });
    await using watch = new DiscoveryWatch(discoveryOf(dns));
    await watch.synced();
    const workers = [...watch.known.values()].sort((a, b) =>
      a.key < b.key ? -1 : 1
    );
    assert.deepStrictEqual(workers, [
      worker("127.0.0.2:5001", `w1.${ZONE}`, 1, 10),
      worker("127.0.0.3:5002", `w2.${ZONE}`, 0, 0),
      worker("[::1]:5002", `w2.${ZONE}`, 0, 0),
    ]);
  },
});

function worker(
  address: string,
  target: string,
  priority: number,
  weight: number,
): DiscoveredWorker {
  return {
    key: address,
    address,
    serverName: target,
    metadata: {
      srvTarget: target,
      srvPriority: String(priority),
      srvWeight: String(weight),
    },
  };
}

Deno.test({
  name:
    "dnsDiscovery moves a worker whose target's address changed, and reports a changed priority as updated",
  ignore,
  async fn() {
    const target = `w1.${ZONE}`;
    await using dns = await Dnsmasq.start({
      srv: [{ target, port: 5001 }],
      hosts: { [target]: ["127.0.0.2"] },
    });
    await using watch = new DiscoveryWatch(discoveryOf(dns));
    await watch.synced();
    await dns.serve({
      srv: [{ target, port: 5001 }],
      hosts: { [target]: ["127.0.0.3"] },
    });
    await watch.change("removed", "127.0.0.2:5001");
    await watch.change("added", "127.0.0.3:5001");
    await dns.serve({
      srv: [{ target, port: 5001, priority: 5 }],
      hosts: { [target]: ["127.0.0.3"] },
    });
    const updated = await watch.change("updated", "127.0.0.3:5001");
    assert.equal(
      (updated as { worker: DiscoveredWorker }).worker.metadata?.srvPriority,
      "5",
    );
  },
});

Deno.test({
  name:
    "dnsDiscovery removes every worker when the name stops existing (NXDOMAIN)",
  ignore,
  async fn() {
    await using dns = await Dnsmasq.start(
      recordsOf(["127.0.0.2:5001", "127.0.0.3:5001"]),
    );
    await using watch = new DiscoveryWatch(discoveryOf(dns));
    await watch.synced();
    await dns.serve({ srv: [], hosts: {} });
    for (const address of ["127.0.0.2:5001", "127.0.0.3:5001"]) {
      const removed = await watch.change("removed", address);
      assert.equal((removed as { reason: string }).reason, "withdrawn");
    }
  },
});

Deno.test({
  name:
    "dnsDiscovery keeps its workers and reports errors while the server does not answer",
  ignore,
  async fn() {
    const before = ["127.0.0.2:5001", "127.0.0.3:5001"];
    await using dns = await Dnsmasq.start(recordsOf(before));
    await using watch = new DiscoveryWatch(discoveryOf(dns));
    await watch.synced();
    await dns.stop();
    const error = await watch.error();
    assert.match(
      error.message,
      /SRV query failed .*keeping the last known workers/,
    );
    assert.match(error.source, /_wool\._tcp\.workers\.test/);
    assert.deepStrictEqual(watch.addresses, before);
    assert.ok(watch.events.every((event) => event.type !== "removed"));
    await dns.serve(recordsOf([before[1], "127.0.0.4:5001"]));
    await watch.change("removed", before[0]);
    await watch.change("added", "127.0.0.4:5001");
  },
});

Deno.test({
  name: "dnsDiscovery reports synced only once a round succeeds",
  ignore,
  async fn() {
    await using dns = await Dnsmasq.start(recordsOf(["127.0.0.2:5001"]));
    await dns.stop();
    await using watch = new DiscoveryWatch(discoveryOf(dns));
    await watch.error();
    assert.ok(watch.events.every((event) => event.type === "error"));
    await dns.serve(recordsOf(["127.0.0.2:5001"]));
    await watch.synced();
    assert.deepStrictEqual(watch.addresses, ["127.0.0.2:5001"]);
  },
});
