/**
 * Who a standalone worker serves, against real worker processes on
 * 127.0.0.2/127.0.0.3 and raw grpc-js clients: its token (refused without
 * it or with another, `UNAUTHENTICATED`, and a task runs with it), TLS
 * (a client dialing the IP with the test CA), mutual TLS (refused without
 * a client certificate or with one from another CA), and both together.
 *
 * @module
 */
import assert from "node:assert/strict";
import { deserialize } from "node:v8";
import type { ResponseFrame } from "../../src/wire/frames.ts";
import {
  type IssuedCertificate,
  TestCertificateAuthority,
} from "../_helpers/certs.ts";
import { ignoreWithout, OPENSSL } from "../_helpers/engines.ts";
import {
  GrpcStatus,
  type RawClientOptions,
  RawWorkerClient,
  taskFrame,
} from "../_helpers/raw_client.ts";
import {
  StandaloneProcess,
  TokenFiles,
} from "../_helpers/standalone_process.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const ignore = ignoreWithout(OPENSSL);

/** The status name of `add(2, 3)` on `address` as `options` call it, or its result. */
async function addOn(
  address: string,
  options: RawClientOptions,
): Promise<string | number> {
  using raw = await RawWorkerClient.connect(address, options);
  const { frames, status } = await raw.dispatch([
    taskFrame({ module: TASKS, export: "add" }, [2, 3]),
  ]);
  if (status.code !== GrpcStatus.OK) return GrpcStatus[status.code];
  const result = frames.find((frame: ResponseFrame) =>
    frame.frame === "result"
  );
  assert.ok(result?.frame === "result", JSON.stringify(frames));
  return deserialize(result.result.value);
}

/** The status name of an `Info` call, or `"OK"`. */
async function infoOn(
  address: string,
  options: RawClientOptions,
): Promise<string> {
  using raw = await RawWorkerClient.connect(address, options);
  try {
    await raw.info();
    return "OK";
  } catch (error) {
    return GrpcStatus[(error as { code: number }).code];
  }
}

/** The flags serving TLS with `cert` (and asking for client certificates from `ca`). */
function tlsFlags(cert: IssuedCertificate, ca?: IssuedCertificate): string[] {
  return [
    "--tls-cert",
    cert.certFile,
    "--tls-key",
    cert.keyFile,
    ...(ca === undefined ? [] : ["--tls-ca", ca.certFile]),
  ];
}

Deno.test("standalone worker: refuses a caller without its token or with another UNAUTHENTICATED, and runs the task of one with it", async () => {
  await using tokens = await TokenFiles.create();
  await using worker = await StandaloneProcess.start([
    "--listen",
    "127.0.0.2:0",
    "--token-file",
    await tokens.write("right-token"),
  ]);
  for (
    const authorization of [undefined, "Bearer wrong-token", "right-token"]
  ) {
    assert.equal(
      await addOn(worker.address, { authorization }),
      "UNAUTHENTICATED",
      String(authorization),
    );
    assert.equal(
      await infoOn(worker.address, { authorization }),
      "UNAUTHENTICATED",
    );
  }
  assert.equal(
    await addOn(worker.address, { authorization: "Bearer right-token" }),
    5,
  );
});

Deno.test({
  name:
    "standalone worker: over TLS a client dialing its IP with the CA is served with the token, refused without it; a plaintext client or one trusting another CA gets nowhere",
  ignore,
  async fn() {
    await using pki = await TestCertificateAuthority.create();
    await using other = await TestCertificateAuthority.create("other CA");
    await using tokens = await TokenFiles.create();
    const cert = await pki.server({ ips: ["127.0.0.3"] });
    await using worker = await StandaloneProcess.start([
      "--listen",
      "127.0.0.3:0",
      "--token-file",
      await tokens.write("right-token"),
      ...tlsFlags(cert),
    ]);
    assert.doesNotMatch(worker.stderr, /in clear/);
    const tls = { ca: pki.ca.cert };
    const authorization = "Bearer right-token";
    assert.equal(await addOn(worker.address, { tls, authorization }), 5);
    assert.equal(await addOn(worker.address, { tls }), "UNAUTHENTICATED");
    assert.equal(
      await addOn(worker.address, { authorization }),
      "UNAVAILABLE",
      "a plaintext client",
    );
    assert.equal(
      await addOn(worker.address, {
        tls: { ca: other.ca.cert },
        authorization,
      }),
      "UNAVAILABLE",
      "a client trusting another CA",
    );
  },
});

Deno.test({
  name:
    "standalone worker: with --tls-ca (mutual TLS) it serves a client certificate from that CA, and refuses none or another CA's",
  ignore,
  async fn() {
    await using pki = await TestCertificateAuthority.create();
    await using other = await TestCertificateAuthority.create("other CA");
    const cert = await pki.server({ ips: ["127.0.0.2"] });
    await using worker = await StandaloneProcess.start([
      "--listen",
      "127.0.0.2:0",
      ...tlsFlags(cert, pki.ca),
    ]);
    const ca = pki.ca.cert;
    const mine = await pki.client();
    const theirs = await other.client();
    assert.equal(
      await addOn(worker.address, {
        tls: { ca, cert: mine.cert, key: mine.key },
      }),
      5,
    );
    assert.equal(await addOn(worker.address, { tls: { ca } }), "UNAVAILABLE");
    assert.equal(
      await addOn(worker.address, {
        tls: { ca, cert: theirs.cert, key: theirs.key },
      }),
      "UNAVAILABLE",
    );
  },
});

Deno.test({
  name:
    "standalone worker: with a token and mutual TLS a caller needs both; TLS alone with --insecure serves anyone and says so",
  ignore,
  async fn() {
    await using pki = await TestCertificateAuthority.create();
    await using tokens = await TokenFiles.create();
    const cert = await pki.server({ ips: ["127.0.0.2"] });
    const mine = await pki.client();
    const tls = { ca: pki.ca.cert, cert: mine.cert, key: mine.key };
    {
      await using both = await StandaloneProcess.start([
        "--listen",
        "127.0.0.2:0",
        "--token-file",
        await tokens.write("right-token"),
        ...tlsFlags(cert, pki.ca),
      ]);
      assert.equal(await addOn(both.address, { tls }), "UNAUTHENTICATED");
      assert.equal(
        await addOn(both.address, { tls, authorization: "Bearer right-token" }),
        5,
      );
    }
    await using open = await StandaloneProcess.start([
      "--listen",
      "127.0.0.2:0",
      "--insecure",
      ...tlsFlags(cert),
    ]);
    assert.match(open.stderr, /warning: --insecure: any caller/);
    assert.equal(await addOn(open.address, { tls: { ca: pki.ca.cert } }), 5);
  },
});

Deno.test({
  name:
    "standalone worker: a --tls-cert that is not a certificate, or a --tls-key of another certificate, exits 2 naming the flag",
  ignore,
  async fn() {
    await using pki = await TestCertificateAuthority.create();
    await using tokens = await TokenFiles.create();
    const cert = await pki.server({ ips: ["127.0.0.2"] });
    const another = await pki.server({ ips: ["127.0.0.3"] });
    const base = ["--listen", "127.0.0.2:0", "--insecure"];
    const cases = [
      [
        [
          "--tls-cert",
          await tokens.write("not a certificate"),
          "--tls-key",
          cert.keyFile,
        ],
        /^wool-worker: --tls-cert: .* is not a PEM certificate/,
      ],
      [
        ["--tls-cert", cert.certFile, "--tls-key", another.keyFile],
        /^wool-worker: --tls-key: .* is not the key of --tls-cert/,
      ],
    ] as const;
    for (const [flags, message] of cases) {
      const exit = await StandaloneProcess.run([...base, ...flags]);
      assert.equal(exit.code, 2);
      assert.match(exit.stderr, message);
    }
  },
});
