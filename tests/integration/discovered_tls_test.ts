/**
 * A pool's `credentials.tls` against real standalone workers serving TLS
 * on 127.0.0.2/127.0.0.3 (certificates made by the test with `openssl`):
 * the pool dials by IP and checks the worker's certificate against it;
 * presents its own certificate to workers that require one (mutual TLS);
 * and a worker it cannot trust, or that refuses it, is reported and never
 * joins.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type PoolCredentials,
  staticDiscovery,
  WorkerPool,
} from "../../mod.ts";
import { TestCertificateAuthority } from "../_helpers/certs.ts";
import { ignoreWithout, OPENSSL } from "../_helpers/engines.ts";
import { PoolEvents } from "../_helpers/pool_events.ts";
import { RemoteWorkers } from "../_helpers/remote_workers.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
type Tasks = typeof import("../_fixtures/tasks.ts");
const TOKEN = "tls-test-token";
const ignore = ignoreWithout(OPENSSL);

/** A durable pool over `address` with `credentials`, waiting for no one. */
function poolOf(
  address: string,
  credentials: PoolCredentials,
): Promise<WorkerPool> {
  return WorkerPool.start({
    discovery: staticDiscovery([address]),
    credentials,
  });
}

Deno.test({
  name:
    "a pool with credentials.tls dials a worker by IP over TLS, checking its certificate, and serves from it",
  ignore,
  async fn() {
    await using pki = await TestCertificateAuthority.create();
    await using remote = await RemoteWorkers.create();
    const worker = await remote.start({
      host: "127.0.0.2",
      token: TOKEN,
      cert: await pki.server({ ips: ["127.0.0.2"] }),
    });
    assert.doesNotMatch(worker.stderr, /travels in clear/);
    await using pool = await WorkerPool.start({
      discovery: staticDiscovery([worker.address]),
      credentials: { token: TOKEN, tls: { ca: pki.ca.cert } },
      quorum: 1,
    });
    const tasks = pool.remote<Tasks>(TASKS);
    assert.equal(await tasks.add(2, 3), 5);
    assert.equal(await tasks.pid(), worker.pid);
  },
});

Deno.test({
  name:
    "a pool reports as unreachable a TLS worker whose certificate its CA did not sign, or that names another address, and never admits it",
  ignore,
  async fn() {
    await using pki = await TestCertificateAuthority.create();
    await using stranger = await TestCertificateAuthority.create("other CA");
    await using remote = await RemoteWorkers.create();
    const unsigned = await remote.start({
      host: "127.0.0.2",
      token: TOKEN,
      cert: await stranger.server({ ips: ["127.0.0.2"] }),
    });
    const misnamed = await remote.start({
      host: "127.0.0.3",
      token: TOKEN,
      cert: await pki.server({ ips: ["127.0.0.9"] }),
    });
    const cases = [
      { worker: unsigned, says: /unable to get local issuer certificate/ },
      { worker: misnamed, says: /127\.0\.0\.3 is not in the cert's list/ },
    ];
    for (const { worker, says } of cases) {
      await using pool = await poolOf(worker.address, {
        token: TOKEN,
        tls: { ca: pki.ca.cert },
      });
      using events = new PoolEvents(pool);
      const refused = await events.next("unavailable");
      assert.equal(refused.reason, "unreachable");
      assert.equal(refused.address, worker.address);
      assert.match(refused.error.message, says);
      assert.deepStrictEqual(pool.workers, []);
    }
  },
});

Deno.test({
  name:
    "a pool presents its client certificate to a worker requiring one (mutual TLS); without one, or with one another CA signed, it is refused and reported",
  ignore,
  async fn() {
    await using pki = await TestCertificateAuthority.create();
    await using stranger = await TestCertificateAuthority.create("other CA");
    await using remote = await RemoteWorkers.create();
    const worker = await remote.start({
      host: "127.0.0.3",
      cert: await pki.server({ ips: ["127.0.0.3"] }),
      clientCaFile: pki.ca.certFile,
    });
    const client = await pki.client();
    await using pool = await WorkerPool.start({
      discovery: staticDiscovery([worker.address]),
      credentials: {
        tls: { ca: pki.ca.cert, cert: client.cert, key: client.key },
      },
      quorum: 1,
    });
    assert.equal(await pool.remote<Tasks>(TASKS).pid(), worker.pid);

    const foreign = await stranger.client();
    for (
      const tls of [
        { ca: pki.ca.cert },
        { ca: pki.ca.cert, cert: foreign.cert, key: foreign.key },
      ]
    ) {
      await using refusedPool = await poolOf(worker.address, { tls });
      using events = new PoolEvents(refusedPool);
      const refused = await events.next("unavailable");
      // The worker ends the handshake: with a TLS alert naming why, or,
      // when grpc-js saw only the connection end, with the pool's hint.
      assert.equal(refused.reason, "unreachable");
      assert.match(
        refused.error.message,
        /fatal alert: (CertificateRequired|UnknownCA|BadCertificate)|ended the TLS handshake/,
      );
      assert.deepStrictEqual(refusedPool.workers, []);
    }
  },
});
