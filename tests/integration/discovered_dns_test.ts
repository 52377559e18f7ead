/**
 * A pool following DNS SRV records (`dnsDiscovery`) served by a real DNS
 * server (Debian's dnsmasq on a loopback port), with real standalone
 * workers on 127.0.0.2 and 127.0.0.3: the records change while the pool
 * runs, and the pool follows — a worker whose record goes leaves once its
 * task ends, and joins again when it is back; a DNS server that stops
 * answering is reported and changes nothing; over TLS, the certificate is
 * checked against the SRV target's name, as on a Kubernetes headless
 * Service.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dnsDiscovery, WorkerPool } from "../../mod.ts";
import { TestCertificateAuthority } from "../_helpers/certs.ts";
import { Dnsmasq, type DnsRecords, ZONE } from "../_helpers/dnsmasq.ts";
import { DNSMASQ, ignoreWithout, OPENSSL } from "../_helpers/engines.ts";
import { Gate } from "../_helpers/gate.ts";
import { settles } from "../_helpers/deadline.ts";
import { PoolEvents } from "../_helpers/pool_events.ts";
import { portOf, RemoteWorkers } from "../_helpers/remote_workers.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");
const TOKEN = "dns-test-token";

/** SRV records naming `w<i>.workers.test` for each address. */
function recordsOf(addresses: readonly string[]): DnsRecords {
  return {
    srv: addresses.map((address, i) => ({
      target: `w${i + 1}.${ZONE}`,
      port: portOf(address),
    })),
    hosts: Object.fromEntries(
      addresses.map((address, i) => [
        `w${i + 1}.${ZONE}`,
        [address.slice(0, address.lastIndexOf(":"))],
      ]),
    ),
  };
}

Deno.test({
  name:
    "a pool following DNS SRV records admits the workers they name, lets one whose record goes finish its task and leave, admits it again when it is back, and reports a DNS server that stops answering",
  ignore: ignoreWithout(DNSMASQ),
  async fn() {
    await using remote = await RemoteWorkers.create();
    await using gate = Gate.open();
    const a = await remote.start({ host: "127.0.0.2", token: TOKEN });
    const b = await remote.start({ host: "127.0.0.3", token: TOKEN });
    await using dns = await Dnsmasq.start(recordsOf([a.address, b.address]));
    await using pool = await WorkerPool.start({
      discovery: dnsDiscovery({
        name: dns.name,
        nameServer: dns.nameServer,
        intervalMs: 100,
      }),
      credentials: { token: TOKEN },
      quorum: 2,
    });
    using events = new PoolEvents(pool);
    const idOf = (address: string) =>
      pool.workers.find((w) => w.address === address)?.id;
    const withdrawn = idOf(b.address)!;
    const tasks = pool.remote<Tasks>(TASKS);
    // One task held on each worker (round robin).
    const held = [1, 2].map((n) => tasks.waitAtGate(gate.port, n));
    await gate.arrived(2);

    await dns.serve(recordsOf([a.address]));
    const left = await events.next("left", (e) => e.worker.id === withdrawn);
    assert.equal(left.reason, "withdrawn");
    const pids = await Promise.all(
      Array.from({ length: 4 }, () => tasks.pid()),
    );
    assert.ok(pids.every((pid) => pid === a.pid), "no new task goes to b");
    await gate.release();
    assert.deepStrictEqual(await settles(Promise.all(held), "held"), [1, 2]);

    await dns.serve(recordsOf([a.address, b.address]));
    const back = await events.next(
      "joined",
      (e) => e.worker.address === b.address,
    );
    assert.notEqual(back.worker.id, withdrawn);
    assert.equal(back.worker.pid, b.pid);

    // The DNS server goes away: reported; the workers known stay.
    await dns.stop();
    const failed = await events.next("discovery-error");
    assert.match(failed.error.message, /dnsDiscovery/);
    assert.deepStrictEqual(
      pool.workers.map((w) => w.address).sort(),
      [a.address, b.address].sort(),
    );
  },
});

Deno.test({
  name:
    "a pool following DNS dials over TLS checking the certificate against the SRV target's name",
  ignore: ignoreWithout(DNSMASQ, OPENSSL),
  async fn() {
    await using pki = await TestCertificateAuthority.create();
    await using remote = await RemoteWorkers.create();
    // The certificate names the host, not its address.
    const worker = await remote.start({
      host: "127.0.0.2",
      token: TOKEN,
      cert: await pki.server({ dns: [`w1.${ZONE}`] }),
    });
    await using dns = await Dnsmasq.start(recordsOf([worker.address]));
    await using pool = await WorkerPool.start({
      discovery: dnsDiscovery({ name: dns.name, nameServer: dns.nameServer }),
      credentials: { token: TOKEN, tls: { ca: pki.ca.cert } },
      quorum: 1,
    });
    assert.deepStrictEqual(pool.workers.map((w) => w.address), [
      worker.address,
    ]);
    assert.equal(await pool.remote<Tasks>(TASKS).pid(), worker.pid);
  },
});
