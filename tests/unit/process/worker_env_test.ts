import assert from "node:assert/strict";
import { MissingPermission } from "../../../src/process/preflight.ts";
import {
  WORKER_ENV_NAMES,
  workerEnvironment,
} from "../../../src/process/worker_env.ts";

const SECRET = "WOOL_TEST_SECRET";

Deno.test("workerEnvironment() keeps only what Deno, npm and grpc-js read, plus worker.env, by default", () => {
  Deno.env.set(SECRET, "hunter2");
  Deno.env.set("DENO_TEST_SETTING", "kept by prefix");
  try {
    const { env, clearEnv } = workerEnvironment({ MODE: "fast" });
    assert.equal(clearEnv, true);
    assert.equal(env[SECRET], undefined);
    assert.equal(env.DENO_TEST_SETTING, "kept by prefix");
    assert.equal(env.MODE, "fast");
    for (const name of ["PATH", "HOME"]) {
      assert.equal(env[name], Deno.env.get(name), name);
    }
    for (const name of Object.keys(env)) {
      assert.ok(
        WORKER_ENV_NAMES.includes(name) || name === "MODE" ||
          /^(DENO_|NPM_CONFIG_|npm_config_|GRPC_|OTEL_)/.test(name) ||
          /proxy$/i.test(name),
        `${name} passed on`,
      );
    }
  } finally {
    Deno.env.delete(SECRET);
    Deno.env.delete("DENO_TEST_SETTING");
  }
});

Deno.test("workerEnvironment() keeps the certificate settings Deno reads, NODE_EXTRA_CA_CERTS among them", () => {
  const names = ["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "DENO_CERT"];
  const saved = names.map((name) => [name, Deno.env.get(name)] as const);
  for (const name of names) Deno.env.set(name, `/etc/ssl/${name}.pem`);
  try {
    const { env } = workerEnvironment({});
    for (const name of names) assert.equal(env[name], `/etc/ssl/${name}.pem`);
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
});

Deno.test("workerEnvironment() keeps the OpenTelemetry settings, so workers export where the pool does", () => {
  const names = [
    "OTEL_DENO",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_SERVICE_NAME",
    "OTEL_METRIC_EXPORT_INTERVAL",
  ];
  const saved = names.map((name) => [name, Deno.env.get(name)] as const);
  for (const name of names) Deno.env.set(name, `value of ${name}`);
  try {
    const { env } = workerEnvironment({});
    for (const name of names) assert.equal(env[name], `value of ${name}`);
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
});

Deno.test("workerEnvironment() gives worker.env the last word", () => {
  const { env } = workerEnvironment({ PATH: "/only/here" });
  assert.equal(env.PATH, "/only/here");
});

Deno.test("workerEnvironment() with inheritEnv: true keeps the whole environment, adding worker.env", () => {
  assert.deepEqual(workerEnvironment({ A: "1" }, true), {
    env: { A: "1" },
    clearEnv: false,
  });
});

Deno.test("workerEnvironment() with an inheritEnv list keeps those variables too", () => {
  Deno.env.set(SECRET, "hunter2");
  try {
    const { env, clearEnv } = workerEnvironment({}, [SECRET, "WOOL_UNSET_X"]);
    assert.equal(clearEnv, true);
    assert.equal(env[SECRET], "hunter2");
    assert.equal("WOOL_UNSET_X" in env, false);
  } finally {
    Deno.env.delete(SECRET);
  }
});

Deno.test({
  name:
    "workerEnvironment() passes on only the variables this process may read, and refuses to pass one listed it may not",
  permissions: { env: ["PATH"] },
  fn() {
    const { env } = workerEnvironment({});
    assert.deepEqual(Object.keys(env), ["PATH"]);
    assert.throws(
      () => workerEnvironment({}, ["DATABASE_URL"]),
      (error: unknown) =>
        error instanceof MissingPermission &&
        error.flags.join() === "--allow-env=DATABASE_URL" &&
        /worker\.inheritEnv/.test(error.message),
    );
  },
});
