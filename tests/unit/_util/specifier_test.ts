import assert from "node:assert/strict";
import { resolveModuleSpecifier } from "../../../src/_util/specifier.ts";

Deno.test("resolveModuleSpecifier() resolves ./ and ../ specifiers against cwd to a file URL", () => {
  assert.equal(
    resolveModuleSpecifier("./h.ts", "/srv/app"),
    "file:///srv/app/h.ts",
  );
  assert.equal(
    resolveModuleSpecifier("./h.ts", "/srv/app/"),
    "file:///srv/app/h.ts",
  );
  assert.equal(
    resolveModuleSpecifier("../lib/h.ts", "/srv/app"),
    "file:///srv/lib/h.ts",
  );
  assert.equal(
    resolveModuleSpecifier("./a/../b.ts", "/srv"),
    "file:///srv/b.ts",
  );
});

Deno.test("resolveModuleSpecifier() resolves an absolute path to a file URL", () => {
  assert.equal(
    resolveModuleSpecifier("/opt/hooks/h.ts", "/srv/app"),
    "file:///opt/hooks/h.ts",
  );
});

Deno.test("resolveModuleSpecifier() percent-encodes characters of cwd that URLs cannot hold", () => {
  assert.equal(
    resolveModuleSpecifier("./h.ts", "/srv/my app/100%"),
    "file:///srv/my%20app/100%25/h.ts",
  );
});

Deno.test("resolveModuleSpecifier() defaults cwd to Deno.cwd()", () => {
  assert.equal(
    resolveModuleSpecifier("./h.ts"),
    new URL("h.ts", `file://${Deno.cwd()}/`).href,
  );
});

Deno.test("resolveModuleSpecifier() returns URLs, registry specifiers and bare names unchanged", () => {
  for (
    const specifier of [
      "file:///srv/h.ts",
      "https://example.com/h.ts",
      "npm:some-hooks@1/limit",
      "jsr:@scope/hooks",
      "data:text/javascript,export default () => false",
      "@wool/core/backpressure",
      "hooks",
      ".hidden.ts",
    ]
  ) {
    assert.equal(resolveModuleSpecifier(specifier, "/srv/app"), specifier);
  }
});
