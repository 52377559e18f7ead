/**
 * `examples/tenants.ts`, the README's fair-share example, run as a user
 * would: it ends by itself and the light tenant gets all of its calls in.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { denoRun } from "../_helpers/deno_run.ts";

const EXAMPLE = fileURLToPath(
  new URL("../../examples/tenants.ts", import.meta.url),
);

Deno.test("examples/tenants.ts runs, and acme gets its 10 calls in while bulk floods the worker", async () => {
  const { code, stdout, stderr } = await denoRun(["-A", EXAMPLE]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /accepted: \{ bulk: \d+, acme: 10 \}/);
});
