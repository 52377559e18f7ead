import assert from "node:assert/strict";
import { tokenAuthenticator } from "../../../src/worker/authenticator.ts";

const TOKEN = "s3cr3t-Token_of-the-pool";

Deno.test("tokenAuthenticator() lets in only Bearer <its token>", () => {
  const auth = tokenAuthenticator(TOKEN);
  assert.deepEqual(auth.authenticate({ authorization: `Bearer ${TOKEN}` }), {
    authenticated: true,
  });
});

Deno.test("tokenAuthenticator() refuses every other call, saying why (to the worker only)", () => {
  const auth = tokenAuthenticator(TOKEN);
  const cases: [string | undefined, string][] = [
    [undefined, "no-credential"],
    [TOKEN, "not-a-credential"],
    [`bearer ${TOKEN}`, "not-a-credential"],
    [`Basic ${btoa(`user:${TOKEN}`)}`, "not-a-credential"],
    ["Bearer ", "wrong-credential"],
    [`Bearer ${TOKEN.slice(0, -1)}`, "wrong-credential"],
    [`Bearer ${TOKEN}x`, "wrong-credential"],
    [`Bearer  ${TOKEN}`, "wrong-credential"],
    [`Bearer ${TOKEN.toUpperCase()}`, "wrong-credential"],
    [`Bearer ${"x".repeat(10_000)}`, "wrong-credential"],
  ];
  for (const [authorization, reason] of cases) {
    assert.deepEqual(
      auth.authenticate({ authorization }),
      { authenticated: false, reason },
      String(authorization),
    );
  }
});

Deno.test("tokenAuthenticator() refuses to hold a token that cannot travel as a header value", () => {
  for (const token of ["", "has space", "new\nline", "é", 42 as unknown]) {
    assert.throws(
      () => tokenAuthenticator(token as string),
      new TypeError(
        "Cannot serve: the worker's token must be a non-empty string of visible ASCII characters",
      ),
      String(token),
    );
  }
});
