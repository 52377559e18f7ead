import assert from "node:assert/strict";
import {
  bearerCredential,
  credentialMetadata,
  readBearerCredential,
} from "../../../src/wire/credential.ts";
import { AUTHORIZATION_METADATA_KEY } from "../../../src/wire/status.ts";

Deno.test("bearerCredential() and readBearerCredential() round-trip a token", () => {
  assert.equal(bearerCredential("abc"), "Bearer abc");
  assert.equal(readBearerCredential(bearerCredential("abc")), "abc");
  assert.equal(readBearerCredential("Bearer "), "");
  assert.equal(readBearerCredential("abc"), undefined);
  assert.equal(readBearerCredential("Basic abc"), undefined);
});

Deno.test("credentialMetadata() carries the token under the authorization key, fresh for each call", () => {
  const first = credentialMetadata("abc");
  assert.deepEqual(first.get(AUTHORIZATION_METADATA_KEY), ["Bearer abc"]);
  assert.notEqual(credentialMetadata("abc"), first);
});
