import assert from "node:assert/strict";
import { createPoolSecret } from "../../../src/pool/secret.ts";

Deno.test("createPoolSecret() gives 256 random bits as 43 base64url characters, fresh each time", () => {
  const secrets = new Set(Array.from({ length: 64 }, createPoolSecret));
  assert.equal(secrets.size, 64);
  for (const secret of secrets) {
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    const bytes = Uint8Array.from(
      atob(secret.replaceAll("-", "+").replaceAll("_", "/") + "="),
      (char) => char.charCodeAt(0),
    );
    assert.equal(bytes.length, 32);
  }
});
