import assert from "node:assert/strict";
import { withWorkerResource } from "../../../src/process/worker_resource.ts";

const LAUNCH = { command: "deno", args: ["run"], clearEnv: true };

Deno.test("withWorkerResource() names the worker in OTEL_RESOURCE_ATTRIBUTES, keeping what the worker's environment set", () => {
  assert.deepEqual(
    withWorkerResource({ ...LAUNCH, env: { PATH: "/bin" } }, "w1").env,
    { PATH: "/bin", OTEL_RESOURCE_ATTRIBUTES: "wool.worker.id=w1" },
  );
  assert.equal(
    withWorkerResource({
      ...LAUNCH,
      env: { OTEL_RESOURCE_ATTRIBUTES: "team=data,region=eu" },
    }, "w 2").env.OTEL_RESOURCE_ATTRIBUTES,
    "team=data,region=eu,wool.worker.id=w%202",
  );
});

Deno.test("withWorkerResource() extends the pool's own value when the worker inherits the pool's environment", () => {
  const saved = Deno.env.get("OTEL_RESOURCE_ATTRIBUTES");
  Deno.env.set("OTEL_RESOURCE_ATTRIBUTES", "team=data");
  try {
    const inherited = withWorkerResource(
      { ...LAUNCH, clearEnv: false, env: {} },
      "w3",
    );
    assert.equal(
      inherited.env.OTEL_RESOURCE_ATTRIBUTES,
      "team=data,wool.worker.id=w3",
    );
    const cleared = withWorkerResource({ ...LAUNCH, env: {} }, "w3");
    assert.equal(
      cleared.env.OTEL_RESOURCE_ATTRIBUTES,
      "wool.worker.id=w3",
      "a cleared environment holds only what the launch gives",
    );
  } finally {
    if (saved === undefined) Deno.env.delete("OTEL_RESOURCE_ATTRIBUTES");
    else Deno.env.set("OTEL_RESOURCE_ATTRIBUTES", saved);
  }
});
