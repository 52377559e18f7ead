import assert from "node:assert/strict";
import { WoolError } from "../../../src/errors.ts";
import {
  assertSupportedDenoVersion,
  KNOWN_BAD_DENO_VERSIONS,
  knownBadDenoRange,
  UnsupportedDenoVersion,
} from "../../../src/pool/deno_version.ts";

Deno.test("knownBadDenoRange() flags Deno 2.9.4 to 2.9.6, canaries and pre-releases included", () => {
  for (
    const version of [
      "2.9.4",
      "2.9.5",
      "2.9.6",
      "2.9.5+1a2b3c4",
      "2.9.4-rc.1",
      "2.9.6-canary",
    ]
  ) {
    assert.equal(
      knownBadDenoRange(version),
      KNOWN_BAD_DENO_VERSIONS[0],
      version,
    );
  }
});

Deno.test("knownBadDenoRange() passes every other version, and versions it cannot read", () => {
  for (
    const version of [
      "2.9.3",
      "2.9.7",
      "2.9.3+abcdef0",
      "2.8.9",
      "2.10.4",
      "3.9.5",
      "1.46.3",
      "2.9.40",
      "12.9.5",
      "",
      "2.9",
      "v2.9.5",
      "2.9.5.1",
      "next",
    ]
  ) {
    assert.equal(knownBadDenoRange(version), undefined, version);
  }
});

Deno.test("assertSupportedDenoVersion() names the version and both fixes", () => {
  assert.throws(
    () => assertSupportedDenoVersion("2.9.5+1a2b3c4"),
    /Deno 2\.9\.5\+1a2b3c4 aborts/,
  );
  assert.throws(() => assertSupportedDenoVersion("2.9.5"), (error: unknown) => {
    assert.ok(error instanceof UnsupportedDenoVersion);
    assert.ok(error instanceof WoolError);
    assert.equal(error.name, "UnsupportedDenoVersion");
    assert.equal(error.version, "2.9.5");
    assert.equal(error.range, KNOWN_BAD_DENO_VERSIONS[0]);
    assert.equal(
      error.message,
      "Cannot start worker pool: Deno 2.9.5 aborts a process serving HTTP/2 " +
        "(free(): invalid pointer, exit code 134) when a client connection closes " +
        "after about 150 calls, which kills wool workers (Deno 2.9.4–2.9.6 are affected). " +
        "Install Deno 2.9.3 (npm install -g deno@2.9.3), or pass allowKnownBadDeno: true " +
        "to WorkerPool.start() to run on Deno 2.9.5 anyway",
    );
    return true;
  });
});

Deno.test("assertSupportedDenoVersion() lets a known-bad version through with allowKnownBadDeno", () => {
  assertSupportedDenoVersion("2.9.4", { allowKnownBadDeno: true });
  assertSupportedDenoVersion("2.9.3", { allowKnownBadDeno: false });
  assertSupportedDenoVersion("2.9.3");
});

Deno.test("assertSupportedDenoVersion() checks the running Deno by default", () => {
  if (knownBadDenoRange(Deno.version.deno) === undefined) {
    assertSupportedDenoVersion();
  } else {
    assert.throws(() => assertSupportedDenoVersion(), UnsupportedDenoVersion);
  }
});

Deno.test("assertSupportedDenoVersion() rejects a wrong type with a TypeError naming it", () => {
  assert.throws(
    // @ts-expect-error: the option is a boolean
    () => assertSupportedDenoVersion("2.9.5", { allowKnownBadDeno: "yes" }),
    (error: unknown) =>
      error instanceof TypeError &&
      /"allowKnownBadDeno" must be a boolean, received "yes"/.test(
        error.message,
      ),
  );
  assert.throws(
    // @ts-expect-error: the version is a string
    () => assertSupportedDenoVersion(295),
    /the Deno version must be a string, received 295/,
  );
});
