import assert from "node:assert/strict";
import { staticDiscovery } from "../../../src/discovery/static.ts";
import { validateDiscoveryOptions } from "../../../src/pool/discovery_options.ts";
import { validatePoolOptions } from "../../../src/pool/options.ts";
import { TestCertificateAuthority } from "../../_helpers/certs.ts";
import { ignoreWithout, OPENSSL } from "../../_helpers/engines.ts";

const discovery = staticDiscovery(["127.0.0.2:5001"]);
const cores = navigator.hardwareConcurrency || 1;

Deno.test("validateDiscoveryOptions() spawns hardwareConcurrency workers without discovery, none with it", () => {
  assert.equal(validateDiscoveryOptions({}).spawn, cores);
  const durable = validateDiscoveryOptions({ discovery });
  assert.equal(durable.spawn, 0);
  assert.equal(durable.discovery, discovery);
  assert.equal(durable.quorum, 0, "start() waits for no discovered worker");
  assert.equal(durable.lease, Infinity);
  assert.deepStrictEqual(durable.tags, []);
  assert.equal(durable.quorumTimeoutMs, 60_000);
  const hybrid = validateDiscoveryOptions({ discovery, spawn: 2 });
  assert.equal(hybrid.spawn, 2);
  assert.equal(hybrid.quorum, 2);
});

Deno.test("validateDiscoveryOptions() refuses spawn: 0 without discovery, naming both", () => {
  assert.throws(() => validateDiscoveryOptions({ spawn: 0 }), {
    name: "RangeError",
    message: /"spawn" must be an integer ≥ 1, received 0/,
  });
  assert.throws(() => validateDiscoveryOptions({ discovery, spawn: -1 }), {
    name: "RangeError",
    message: /"spawn" must be an integer ≥ 0/,
  });
});

Deno.test("validateDiscoveryOptions() refuses a discovery without subscribe()", () => {
  for (const bad of [null, 1, {}, { subscribe: "x" }, () => {}]) {
    assert.throws(
      () => validateDiscoveryOptions({ discovery: bad }),
      { name: "TypeError", message: /"discovery" must be a Discovery/ },
    );
  }
});

Deno.test("validateDiscoveryOptions() refuses credentials, tags and lease without discovery", () => {
  for (
    const options of [
      { credentials: { token: "t" } },
      { tags: ["gpu"] },
      { lease: 1 },
    ]
  ) {
    const name = Object.keys(options)[0];
    assert.throws(() => validateDiscoveryOptions(options), {
      name: "TypeError",
      message: new RegExp(`"${name}" applies to discovered workers`),
    });
  }
});

Deno.test("validateDiscoveryOptions() checks tags as a worker's --tag takes them", () => {
  assert.deepStrictEqual(
    validateDiscoveryOptions({ discovery, tags: ["gpu", "eu", "gpu"] }).tags,
    ["gpu", "eu"],
  );
  for (const bad of ["", "a b", "a,b", "x".repeat(257), 3]) {
    assert.throws(
      () => validateDiscoveryOptions({ discovery, tags: ["ok", bad] }),
      { name: "TypeError", message: /"tags\[1\]" must be a tag/ },
    );
  }
  assert.throws(
    () => validateDiscoveryOptions({ discovery, tags: "gpu" }),
    { name: "TypeError", message: /"tags" must be an array/ },
  );
});

Deno.test("validateDiscoveryOptions() checks lease and quorum, and that the quorum can be met", () => {
  assert.equal(validateDiscoveryOptions({ discovery, lease: 2 }).lease, 2);
  assert.throws(() => validateDiscoveryOptions({ discovery, lease: 0 }), {
    name: "RangeError",
    message: /"lease" must be an integer ≥ 1/,
  });
  assert.throws(() => validateDiscoveryOptions({ discovery, quorum: 0 }), {
    name: "RangeError",
    message: /"quorum" must be an integer ≥ 1/,
  });
  const met = validateDiscoveryOptions({
    discovery,
    spawn: 1,
    lease: 2,
    quorum: 3,
    quorumTimeoutMs: 5,
  });
  assert.equal(met.quorum, 3);
  assert.equal(met.quorumTimeoutMs, 5);
  assert.throws(
    () =>
      validateDiscoveryOptions({ discovery, spawn: 1, lease: 2, quorum: 4 }),
    {
      name: "RangeError",
      message: /"quorum" 4 cannot be met: .* at most 3 workers/,
    },
  );
  assert.throws(() => validateDiscoveryOptions({ spawn: 2, quorum: 3 }), {
    name: "RangeError",
    message: /"quorum" 3 cannot be met/,
  });
  assert.throws(
    () => validateDiscoveryOptions({ discovery, quorumTimeoutMs: 5 }),
    {
      name: "TypeError",
      message: /"quorumTimeoutMs" needs a "quorum"/,
    },
  );
  assert.throws(
    () =>
      validateDiscoveryOptions({ discovery, quorum: 1, quorumTimeoutMs: 0 }),
    { name: "RangeError", message: /"quorumTimeoutMs" must be/ },
  );
});

Deno.test("validateDiscoveryOptions() trims the token and refuses one a header cannot carry", () => {
  assert.equal(
    validateDiscoveryOptions({ discovery, credentials: { token: " s3cret\n" } })
      .credentials.token,
    "s3cret",
  );
  for (const token of ["", "  \n", "a b", "é", 42]) {
    assert.throws(
      () => validateDiscoveryOptions({ discovery, credentials: { token } }),
      { name: "TypeError", message: /"credentials.token" must be/ },
    );
  }
  assert.throws(
    () => validateDiscoveryOptions({ discovery, credentials: "s3cret" }),
    { name: "TypeError", message: /"credentials" must be an object/ },
  );
});

Deno.test({
  name:
    "validateDiscoveryOptions() checks TLS credentials as PEM, cert and key together",
  ignore: ignoreWithout(OPENSSL),
  async fn() {
    await using pki = await TestCertificateAuthority.create();
    const client = await pki.client();
    const ca = pki.ca.cert;
    assert.deepStrictEqual(
      validateDiscoveryOptions({ discovery, credentials: { tls: { ca } } })
        .credentials.tls,
      { ca },
    );
    const tls = { ca, cert: client.cert, key: client.key };
    assert.deepStrictEqual(
      validateDiscoveryOptions({ discovery, credentials: { tls } }).credentials,
      { token: undefined, tls },
    );
    const cases: [unknown, RegExp][] = [
      [
        { ca: "not a certificate" },
        /"credentials.tls.ca" is not a PEM certificate/,
      ],
      [{ ca: client.key }, /"credentials.tls.ca" is not a PEM certificate/],
      [{ ca: 1 }, /"credentials.tls.ca" must be a PEM certificate/],
      [
        { ca, cert: client.cert },
        /"credentials.tls.cert" needs "credentials.tls.key"/,
      ],
      [
        { ca, key: client.key },
        /"credentials.tls.key" needs "credentials.tls.cert"/,
      ],
      [
        { ca, cert: client.cert, key: client.cert },
        /"credentials.tls.key" is not a PEM private key/,
      ],
      [
        { ca, cert: client.key, key: client.key },
        /"credentials.tls.cert" is not a PEM certificate/,
      ],
      [null, /"credentials.tls" must be an object/],
    ];
    for (const [bad, message] of cases) {
      assert.throws(
        () =>
          validateDiscoveryOptions({
            discovery,
            credentials: { tls: bad as never },
          }),
        { name: "TypeError", message },
      );
    }
  },
});

Deno.test("validatePoolOptions() takes the discovery options, and knows their names", () => {
  const resolved = validatePoolOptions({
    discovery,
    tags: ["gpu"],
    lease: 3,
    quorum: 2,
    quorumTimeoutMs: 1000,
    credentials: { token: "t" },
  });
  assert.equal(resolved.spawn, 0);
  assert.equal(resolved.discovery, discovery);
  assert.deepStrictEqual(resolved.tags, ["gpu"]);
  assert.equal(resolved.lease, 3);
  assert.equal(resolved.quorum, 2);
  assert.equal(resolved.credentials.token, "t");
  assert.throws(
    // @ts-expect-error: tags is a list
    () => validatePoolOptions({ discovery, tags: "gpu" }),
    { name: "TypeError", message: /"tags" must be an array/ },
  );
  assert.throws(
    // @ts-expect-error: credentials is an object
    () => validatePoolOptions({ discovery, credentials: "s3cret" }),
    { name: "TypeError", message: /"credentials" must be an object/ },
  );
});
