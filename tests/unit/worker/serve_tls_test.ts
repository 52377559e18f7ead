/**
 * `serve()` over TLS, in process on 127.0.0.2, with real sockets: the
 * pending-connection limit still tells an authenticated TLS connection
 * from one that is not, although grpc-js sees each connection through a
 * TLS socket wrapped around the one the listener accepted.
 *
 * @module
 */
import assert from "node:assert/strict";
import net from "node:net";
import { tokenAuthenticator } from "../../../src/worker/authenticator.ts";
import { serve, type Serving } from "../../../src/worker/serve.ts";
import { WorkerService } from "../../../src/worker/worker_service.ts";
import { TestCertificateAuthority } from "../../_helpers/certs.ts";
import { settles } from "../../_helpers/deadline.ts";
import { ignoreWithout, OPENSSL } from "../../_helpers/engines.ts";
import { RawWorkerClient } from "../../_helpers/raw_client.ts";

const ignore = ignoreWithout(OPENSSL);

/** A raw TCP connection that sends nothing, and when it closed. */
function rawConnection(address: string) {
  const [host, port] = address.split(":");
  const socket = net.connect(Number(port), host);
  socket.on("error", () => {});
  socket.resume();
  const closed = new Promise<void>((resolve) => socket.once("close", resolve));
  return { socket, closed };
}

async function serveTls(pki: TestCertificateAuthority): Promise<Serving> {
  const cert = await pki.server({ ips: ["127.0.0.2"] });
  const service = new WorkerService({
    hook: null,
    backpressureTimeoutMs: 1000,
    maxMessageBytes: 1 << 20,
    maxTasksPerSession: 10,
    profile: () => ({ id: "w1", address: "127.0.0.2:1", tags: [] }),
  });
  return await serve({
    listen: "127.0.0.2:0",
    authenticator: tokenAuthenticator("right-token"),
    limits: {
      maxConcurrentStreams: 10,
      maxPendingConnections: 1,
      pendingConnectionTimeoutMs: 60_000,
    },
    maxMessageBytes: 1 << 20,
    handlers: service.handlers(),
    tls: { cert: cert.cert, key: cert.key },
  });
}

/** Runs `body` against a fresh TLS server, closing what it opened. */
async function withServer(
  pki: TestCertificateAuthority,
  body: (
    serving: Serving,
    connect: (address: string) => ReturnType<typeof rawConnection>,
  ) => Promise<void>,
): Promise<void> {
  const serving = await serveTls(pki);
  const opened: ReturnType<typeof rawConnection>[] = [];
  try {
    await body(serving, (address) => {
      const connection = rawConnection(address);
      opened.push(connection);
      return connection;
    });
  } finally {
    for (const { socket } of opened) socket.destroy();
    await Promise.all(opened.map(({ closed }) => closed));
    serving.close();
  }
}

Deno.test({
  name:
    "serve() over TLS: a connection that authenticated is no longer pending, one refused still is",
  ignore,
  async fn() {
    await using pki = await TestCertificateAuthority.create();
    const tls = { ca: pki.ca.cert };
    await withServer(pki, async (serving, connect) => {
      using pool = await RawWorkerClient.connect(serving.address, {
        tls,
        authorization: "Bearer right-token",
      });
      assert.equal((await pool.info()).id, "w1");
      // The pool's connection authenticated: the one place is free.
      const pending = connect(serving.address);
      const beyond = connect(serving.address);
      await settles(beyond.closed, "the connection beyond the limit closing");
      assert.equal((await pool.info()).id, "w1");
      assert.equal(pending.socket.destroyed, false, "the pending one was kept");
    });
    await withServer(pki, async (serving, connect) => {
      using refused = await RawWorkerClient.connect(serving.address, {
        tls,
        authorization: "Bearer wrong-token",
      });
      await assert.rejects(refused.info());
      // Refused, its connection is still pending and takes the one place.
      const beyond = connect(serving.address);
      await settles(beyond.closed, "the connection beyond the limit closing");
    });
  },
});
