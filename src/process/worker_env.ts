/**
 * A worker's environment. By default it holds only what Deno, npm,
 * grpc-js and OpenTelemetry read ({@linkcode WORKER_ENV_NAMES}, {@linkcode WORKER_ENV_PREFIXES})
 * and what `worker.env` gives: a secret in the pool's environment
 * (`DATABASE_URL`, `AWS_SECRET_ACCESS_KEY`, …) does not reach task code by
 * accident. `worker.inheritEnv` opts in: `true` for the whole environment,
 * or a list of names.
 *
 * The list was found by running workers under an empty environment: Deno
 * still starts, finds its module cache (from the user database when `HOME`
 * is unset) and serves. The variables kept are those that change where
 * Deno finds modules and certificates, how it reaches registries, and
 * what grpc-js does; plus the locale, time zone and search path, which
 * change how ordinary code behaves and hold no secret.
 *
 * The pool passes on a variable only when its own process may read it: a
 * pool run with `--allow-env=<some names>` passes those. A name listed in
 * `worker.inheritEnv` that the pool may not read fails the start with
 * `MissingPermission` naming it.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";
import { GRPC_ENV_VARS } from "./permissions.ts";
import { MissingPermission } from "./preflight.ts";

/**
 * Variables a worker keeps from the pool's environment, when set (with
 * grpc-js's own, `GRPC_ENV_VARS`).
 */
export const WORKER_ENV_NAMES: readonly string[] = Object.freeze([
  // Where Deno keeps its cache and finds the user's files.
  "HOME",
  "USERPROFILE",
  "XDG_CACHE_HOME",
  "LOCALAPPDATA",
  "APPDATA",
  "SystemRoot",
  "TMPDIR",
  "TMP",
  "TEMP",
  // Deno's own settings (also found by prefix, when the pool may list them).
  "DENO_DIR",
  "DENO_CERT",
  "DENO_TLS_CA_STORE",
  "DENO_AUTH_TOKENS",
  "DENO_NO_UPDATE_CHECK",
  "DENO_V8_FLAGS",
  "NO_COLOR",
  // Certificates and proxies for fetching modules and packages. Deno
  // trusts the extra CAs of NODE_EXTRA_CA_CERTS too: behind a TLS-
  // inspecting proxy a worker without it cannot fetch an npm package.
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "NPM_CONFIG_REGISTRY",
  // OpenTelemetry: Deno's built-in exporter (OTEL_DENO) and where it sends,
  // so workers export as the pool's process does (docs/telemetry.md).
  // OTEL_EXPORTER_OTLP_HEADERS may hold a collector token: task code can
  // read it, as it can read the collector's address.
  "OTEL_DENO",
  "OTEL_SERVICE_NAME",
  "OTEL_RESOURCE_ATTRIBUTES",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_PROTOCOL",
  "OTEL_EXPORTER_OTLP_HEADERS",
  // How ordinary code behaves: programs, locale, time zone.
  "PATH",
  "LANG",
  "LC_ALL",
  "TZ",
]);

/** Prefixes of variables a worker keeps, when the pool may list its environment. */
export const WORKER_ENV_PREFIXES: readonly string[] = Object.freeze([
  "DENO_",
  "NPM_CONFIG_",
  "npm_config_",
  "GRPC_",
  "OTEL_",
]);

/** What a worker is started with. */
export interface WorkerEnvironment {
  /** The variables to set. */
  readonly env: Readonly<Record<string, string>>;
  /** True: `env` is the whole environment; false: it is added to the pool's. */
  readonly clearEnv: boolean;
}

/**
 * The environment a worker starts with.
 *
 * @param added `worker.env`: set last, over anything kept.
 * @param inheritEnv `worker.inheritEnv`: `true` keeps the pool's whole
 * environment; a list keeps those names too.
 * @returns The environment, and whether it replaces the pool's.
 * @throws {TypeError} when `added` is not an object of strings, or
 * `inheritEnv` neither a boolean nor an array of variable names; the
 * message names the option.
 * @throws {MissingPermission} when a listed name cannot be read by this
 * process.
 */
export function workerEnvironment(
  added: unknown,
  inheritEnv: unknown = false,
): WorkerEnvironment {
  const given = validateEnv(added);
  if (inheritEnv === true) return { env: given, clearEnv: false };
  const listed = inheritedNames(inheritEnv);
  const unreadable = listed.filter((name) => !mayRead(name));
  if (unreadable.length > 0) {
    throw new MissingPermission(unreadable.map((variable) => ({
      descriptor: { name: "env", variable },
      why: `"worker.inheritEnv" passes ${variable} on to workers`,
    })));
  }
  const env: Record<string, string> = {};
  const all = mayReadAll() ? Deno.env.toObject() : undefined;
  for (const name of [...WORKER_ENV_NAMES, ...GRPC_ENV_VARS, ...listed]) {
    const value = all
      ? all[name]
      : mayRead(name)
      ? Deno.env.get(name)
      : undefined;
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(all ?? {})) {
    if (WORKER_ENV_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      env[name] = value;
    }
  }
  return { env: { ...env, ...given }, clearEnv: true };
}

function validateEnv(env: unknown): Record<string, string> {
  if (env === undefined) return {};
  if (env === null || typeof env !== "object" || Array.isArray(env)) {
    throw new TypeError(
      `Cannot start worker pool: "worker.env" must be an object of strings, received ${
        describeValue(env)
      }`,
    );
  }
  const resolved: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key === "" || key.includes("=") || key.includes("\0")) {
      throw new TypeError(
        `Cannot start worker pool: "worker.env" has an invalid variable name ${
          describeValue(key)
        }`,
      );
    }
    if (typeof value !== "string" || value.includes("\0")) {
      throw new TypeError(
        `Cannot start worker pool: "worker.env.${key}" must be a string without NUL characters, received ${
          describeValue(value)
        }`,
      );
    }
    resolved[key] = value;
  }
  return resolved;
}

function inheritedNames(inheritEnv: unknown): readonly string[] {
  if (inheritEnv === false) return [];
  if (!Array.isArray(inheritEnv)) {
    throw new TypeError(
      `Cannot start worker pool: "worker.inheritEnv" must be a boolean or an array of variable names, received ${
        describeValue(inheritEnv)
      }`,
    );
  }
  inheritEnv.forEach((name: unknown, index) => {
    if (
      typeof name !== "string" || name === "" || name.includes("=") ||
      name.includes("\0")
    ) {
      throw new TypeError(
        `Cannot start worker pool: "worker.inheritEnv[${index}]" must be a variable name, received ${
          describeValue(name)
        }`,
      );
    }
  });
  return inheritEnv as string[];
}

function mayReadAll(): boolean {
  return Deno.permissions.querySync({ name: "env" }).state === "granted";
}

function mayRead(variable: string): boolean {
  return Deno.permissions.querySync({ name: "env", variable }).state ===
    "granted";
}
