/**
 * The certificates of `tests/_helpers/certs.ts`, proven on the transport
 * the runtime uses: a grpc-js server and client in Deno talk TLS and mutual
 * TLS on loopback hosts, and every caller the server must not trust is
 * refused before its call runs.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { checkServerIdentity } from "node:tls";
import * as grpc from "npm:@grpc/grpc-js@1.14.7";
import {
  type IssuedCertificate,
  TestCertificateAuthority,
} from "../_helpers/certs.ts";
import { ignoreWithout, OPENSSL } from "../_helpers/engines.ts";

const ignore = ignoreWithout(OPENSSL);

const identity = (value: Buffer) => value;
const ECHO = {
  echo: {
    path: "/wool.test.Echo/Echo",
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
} satisfies grpc.ServiceDefinition;
const EchoClient = grpc.makeGenericClientConstructor(ECHO, "Echo");

/** A TLS echo server on `host`; counts the calls its handler ran. */
class EchoServer implements AsyncDisposable {
  calls = 0;
  readonly #server = new grpc.Server();
  address = "";

  static async start(
    host: string,
    ca: string,
    cert: IssuedCertificate,
    requireClientCertificate: boolean,
  ): Promise<EchoServer> {
    const echo = new EchoServer();
    echo.#server.addService(ECHO, {
      echo: (
        call: grpc.ServerUnaryCall<Buffer, Buffer>,
        reply: grpc.sendUnaryData<Buffer>,
      ) => {
        echo.calls++;
        reply(null, call.request);
      },
    });
    // grpc-js in Deno serves TLS only with non-null root certs (FACTS.md).
    const credentials = grpc.ServerCredentials.createSsl(
      Buffer.from(ca),
      [{
        cert_chain: Buffer.from(cert.cert),
        private_key: Buffer.from(cert.key),
      }],
      requireClientCertificate,
    );
    const port = await new Promise<number>((resolve, reject) =>
      echo.#server.bindAsync(
        `${host}:0`,
        credentials,
        (error, port) => error ? reject(error) : resolve(port),
      )
    );
    echo.address = `${host}:${port}`;
    return echo;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await new Promise<void>((resolve) =>
      this.#server.tryShutdown(() => resolve())
    );
  }
}

interface CallerOptions {
  readonly ca: string;
  readonly client?: IssuedCertificate;
  /** The name to verify the server's certificate against. */
  readonly serverName?: string;
  /** Verify this IP address instead (see {@linkcode IP_PLACEHOLDER}). */
  readonly verifyIp?: string;
}

/**
 * Deno's `node:tls` refuses an IP address as the TLS `servername`, which
 * grpc-js sends for a target's host: a client dialing a worker by IP gives
 * grpc-js a name to send (this placeholder) and checks the certificate
 * against the IP itself, in `checkServerIdentity`.
 */
const IP_PLACEHOLDER = "ip-address.invalid";

/** One echo call: the reply, or the gRPC status name of its failure. */
async function call(address: string, caller: CallerOptions): Promise<string> {
  const { verifyIp } = caller;
  const credentials = grpc.credentials.createSsl(
    Buffer.from(caller.ca),
    caller.client ? Buffer.from(caller.client.key) : null,
    caller.client ? Buffer.from(caller.client.cert) : null,
    verifyIp === undefined ? {} : {
      checkServerIdentity: (_name, cert) => checkServerIdentity(verifyIp, cert),
    },
  );
  const serverName = verifyIp === undefined
    ? caller.serverName
    : IP_PLACEHOLDER;
  const client = new EchoClient(
    address,
    credentials,
    serverName === undefined
      ? {}
      : { "grpc.ssl_target_name_override": serverName },
  );
  try {
    return await new Promise<string>((resolve) =>
      client.makeUnaryRequest(
        ECHO.echo.path,
        identity,
        identity,
        Buffer.from("ping"),
        { deadline: Date.now() + 10_000 },
        (error: grpc.ServiceError | null, value?: Buffer) =>
          resolve(error ? grpc.status[error.code] : String(value)),
      )
    );
  } finally {
    client.close();
  }
}

Deno.test({
  name:
    "certs: a grpc-js client trusting the CA talks TLS to a server on 127.0.0.2, by name or by IP",
  ignore,
  async fn() {
    await using pki = await TestCertificateAuthority.create();
    const cert = await pki.server({
      ips: ["127.0.0.2"],
      dns: ["w1.workers.test"],
    });
    await using server = await EchoServer.start(
      "127.0.0.2",
      pki.ca.cert,
      cert,
      false,
    );
    const ca = pki.ca.cert;
    assert.equal(
      await call(server.address, { ca, serverName: "w1.workers.test" }),
      "ping",
    );
    assert.equal(
      await call(server.address, { ca, verifyIp: "127.0.0.2" }),
      "ping",
    );
    assert.equal(server.calls, 2);
  },
});

Deno.test({
  name:
    "certs: Deno refuses an IP address as the TLS server name, so a caller dialing an IP must name the server",
  ignore,
  async fn() {
    // Guards IP_PLACEHOLDER: once this gets "ping", Deno takes IP server
    // names and the placeholder can go.
    await using pki = await TestCertificateAuthority.create();
    const cert = await pki.server({ ips: ["127.0.0.2"] });
    await using server = await EchoServer.start(
      "127.0.0.2",
      pki.ca.cert,
      cert,
      false,
    );
    assert.equal(
      await call(server.address, { ca: pki.ca.cert }),
      "UNAVAILABLE",
    );
    assert.equal(server.calls, 0);
  },
});

Deno.test({
  name:
    "certs: a TLS client refuses a server whose certificate another CA signed, or names another host",
  ignore,
  async fn() {
    await using pki = await TestCertificateAuthority.create();
    await using other = await TestCertificateAuthority.create("other CA");
    const cert = await pki.server({
      ips: ["127.0.0.3"],
      dns: ["w3.workers.test"],
    });
    await using server = await EchoServer.start(
      "127.0.0.3",
      pki.ca.cert,
      cert,
      false,
    );
    const ca = pki.ca.cert;
    const refused = [
      { ca: other.ca.cert, verifyIp: "127.0.0.3" },
      { ca, verifyIp: "127.0.0.9" },
      { ca, serverName: "w9.workers.test" },
    ];
    for (const caller of refused) {
      assert.equal(
        await call(server.address, caller),
        "UNAVAILABLE",
        JSON.stringify(caller),
      );
    }
    assert.equal(server.calls, 0);
    assert.equal(
      await call(server.address, { ca, verifyIp: "127.0.0.3" }),
      "ping",
    );
  },
});

Deno.test({
  name:
    "certs: mutual TLS admits a client certificate from the CA, and refuses none, another CA's, or one without clientAuth",
  ignore,
  async fn() {
    await using pki = await TestCertificateAuthority.create();
    await using other = await TestCertificateAuthority.create("other CA");
    const cert = await pki.server({ ips: ["127.0.0.2"] });
    await using server = await EchoServer.start(
      "127.0.0.2",
      pki.ca.cert,
      cert,
      true,
    );
    const ca = pki.ca.cert;
    const verifyIp = "127.0.0.2";
    assert.equal(
      await call(server.address, { ca, verifyIp, client: await pki.client() }),
      "ping",
    );
    assert.equal(server.calls, 1);
    const refused = [
      { ca, verifyIp },
      { ca, verifyIp, client: await other.client() },
      { ca, verifyIp, client: await pki.server({ dns: ["pool.test"] }) },
    ];
    for (const [i, caller] of refused.entries()) {
      assert.equal(
        await call(server.address, caller),
        "UNAVAILABLE",
        `caller ${i}`,
      );
    }
    assert.equal(server.calls, 1, "no refused caller reached the handler");
  },
});

Deno.test({
  name: "certs: the temp dir holding every key is gone once the CA is disposed",
  ignore,
  async fn() {
    let dir: string;
    {
      await using pki = await TestCertificateAuthority.create();
      await pki.client();
      dir = pki.dir;
      const files = [...Deno.readDirSync(dir)].map((entry) => entry.name);
      assert.ok(files.includes("ca.key"));
    }
    assert.throws(() => Deno.statSync(dir), Deno.errors.NotFound);
  },
});
