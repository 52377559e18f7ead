import assert from "node:assert/strict";
import {
  IP_SERVER_NAME,
  tlsChannel,
} from "../../../src/connection/tls_target.ts";

const CA = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";

Deno.test("tlsChannel() sends a placeholder server name when the worker is dialed by IP, v4 or v6", () => {
  for (const address of ["127.0.0.2:7000", "[::1]:7000"]) {
    assert.deepStrictEqual(tlsChannel(address, { ca: CA }).options, {
      "grpc.ssl_target_name_override": IP_SERVER_NAME,
    });
  }
  assert.deepStrictEqual(
    tlsChannel("w1.workers.test:7000", { ca: CA }, "10.0.0.9").options,
    { "grpc.ssl_target_name_override": IP_SERVER_NAME },
    "a server name that is an IP",
  );
});

Deno.test("tlsChannel() names a DNS host as it is, and a given server name instead of the host", () => {
  assert.deepStrictEqual(
    tlsChannel("w1.workers.test:7000", { ca: CA }).options,
    {},
  );
  assert.deepStrictEqual(
    tlsChannel("127.0.0.2:7000", { ca: CA }, "w1.workers.test").options,
    { "grpc.ssl_target_name_override": "w1.workers.test" },
  );
});

Deno.test("tlsChannel() refuses an address that is not host:port, and a certificate without its key", () => {
  assert.throws(
    () => tlsChannel("127.0.0.2", { ca: CA }),
    (error: unknown) =>
      error instanceof TypeError && /"127\.0\.0\.2"/.test(error.message),
  );
  assert.throws(
    () => tlsChannel("127.0.0.2:1", { ca: CA, cert: CA }),
    /needs both cert and key/,
  );
});
