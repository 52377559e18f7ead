import assert from "node:assert/strict";
import { denoVersionRefusal } from "../../../src/worker/standalone.ts";

Deno.test("denoVersionRefusal() refuses Deno 2.9.4–2.9.6 naming the version, the fix and --allow-known-bad-deno", () => {
  for (const version of ["2.9.4", "2.9.5", "2.9.6"]) {
    const refusal = denoVersionRefusal(version, false);
    assert.ok(refusal !== undefined, version);
    assert.match(
      refusal,
      new RegExp(`Deno ${version.replaceAll(".", "\\.")} aborts`),
    );
    assert.match(refusal, /npm install -g deno@2\.9\.3/);
    assert.match(refusal, /--allow-known-bad-deno/);
  }
});

Deno.test("denoVersionRefusal() passes other versions, and a known-bad one with the opt-out", () => {
  for (const version of ["2.9.3", "2.9.7", "3.0.0", "not a version"]) {
    assert.equal(denoVersionRefusal(version, false), undefined, version);
  }
  assert.equal(denoVersionRefusal("2.9.5", true), undefined);
});
