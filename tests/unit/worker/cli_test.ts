import assert from "node:assert/strict";
import {
  parseWorkerArgs,
  type StandaloneWorkerOptions,
  type WorkerUsageError,
} from "../../../src/worker/cli.ts";
import { WORKER_FLAGS } from "../../../src/worker/cli_flags.ts";
import { WoolError } from "../../../src/errors.ts";

/** The options of a command line that must parse. */
function serve(...argv: string[]): StandaloneWorkerOptions {
  const parsed = parseWorkerArgs(argv);
  if (parsed.kind !== "serve") {
    assert.fail(`${argv.join(" ")}: ${JSON.stringify(parsed)}`);
  }
  return parsed.options;
}

/** The usage error of a command line that must not parse. */
function usage(...argv: string[]): WorkerUsageError {
  const parsed = parseWorkerArgs(argv);
  if (parsed.kind !== "usage") {
    assert.fail(`${argv.join(" ")} parsed: ${JSON.stringify(parsed)}`);
  }
  assert.ok(parsed.error instanceof WoolError);
  assert.equal(parsed.error.exitCode, 2);
  assert.match(parsed.error.message, /\(see --help\)$/);
  return parsed.error;
}

function assertUsage(
  argv: string[],
  flag: string | undefined,
  message: RegExp,
): void {
  const error = usage(...argv);
  assert.equal(error.flag, flag, argv.join(" "));
  assert.match(error.message, message, argv.join(" "));
  if (flag !== undefined) assert.ok(error.message.startsWith(`${flag}: `));
}

const BASE = ["--listen", "127.0.0.1:0", "--insecure"];

Deno.test("parseWorkerArgs fills in the defaults of a minimal command line", () => {
  assert.deepStrictEqual(serve(...BASE), {
    listen: { host: "127.0.0.1", port: 0 },
    insecure: true,
    tags: [],
    graceMs: 30_000,
    allowKnownBadDeno: false,
  });
});

Deno.test("parseWorkerArgs reads every flag, as `--flag value` and `--flag=value`", () => {
  const options = serve(
    "--listen=[::]:7000",
    "--advertise",
    "worker-0.workers.default.svc:7000",
    "--token-file",
    "/run/secrets/token",
    "--tls-cert=/tls/cert.pem",
    "--tls-key",
    "/tls/key.pem",
    "--tls-ca",
    "/tls/ca.pem",
    "--backpressure",
    "@wool/core/backpressure",
    "--backpressure-export",
    "maxActive",
    "--backpressure-options",
    '{"limit":8}',
    "--backpressure-timeout-ms",
    "250",
    "--capacity=16",
    "--tag",
    "gpu",
    "--tag=eu",
    "--tag",
    "gpu",
    "--config",
    "./deno.json",
    "--grace-ms",
    "0",
    "--nats",
    "nats://127.0.0.1:4222,127.0.0.1:4223",
    "--nats=tls://nats.example:4443",
    "--nats-subject",
    "team.workers",
    "--allow-known-bad-deno",
  );
  assert.deepStrictEqual(options, {
    listen: { host: "::", port: 7000 },
    advertise: { host: "worker-0.workers.default.svc", port: 7000 },
    tokenFile: "/run/secrets/token",
    tls: {
      certFile: "/tls/cert.pem",
      keyFile: "/tls/key.pem",
      caFile: "/tls/ca.pem",
    },
    insecure: false,
    backpressure: {
      module: "@wool/core/backpressure",
      export: "maxActive",
      options: { limit: 8 },
    },
    backpressureTimeoutMs: 250,
    capacity: 16,
    tags: ["gpu", "eu"],
    configFile: "./deno.json",
    graceMs: 0,
    nats: {
      servers: [
        "nats://127.0.0.1:4222",
        "127.0.0.1:4223",
        "tls://nats.example:4443",
      ],
      subject: "team.workers",
    },
    allowKnownBadDeno: true,
  });
});

Deno.test("parseWorkerArgs accepts each way to authenticate on its own, and TLS without one only with --insecure", () => {
  const listen = ["--listen", "127.0.0.1:1"];
  assert.equal(serve(...listen, "--token-file", "t").tokenFile, "t");
  const tls = ["--tls-cert", "c", "--tls-key", "k"];
  assert.deepStrictEqual(serve(...listen, ...tls, "--tls-ca", "ca").tls, {
    certFile: "c",
    keyFile: "k",
    caFile: "ca",
  });
  assert.equal(serve(...listen, ...tls, "--tls-ca", "ca").insecure, false);
  assert.deepStrictEqual(serve(...listen, ...tls, "--token-file", "t").tls, {
    certFile: "c",
    keyFile: "k",
  });
  const encryptedOnly = serve(...listen, ...tls, "--insecure");
  assert.deepStrictEqual(encryptedOnly.tls, { certFile: "c", keyFile: "k" });
  assert.equal(encryptedOnly.insecure, true);
});

Deno.test("parseWorkerArgs defaults the NATS subject and accepts --nats behind a reachable listen host", () => {
  assert.deepStrictEqual(serve(...BASE, "--nats", "127.0.0.1:4222").nats, {
    servers: ["127.0.0.1:4222"],
    subject: "wool.workers",
  });
  assert.ok(
    serve(
      "--listen",
      "0.0.0.0:0",
      "--advertise",
      "10.0.0.5:7000",
      "--insecure",
      "--nats",
      "n:4222",
    ).nats,
  );
});

Deno.test("parseWorkerArgs answers --help, anywhere, with every flag listed", () => {
  for (
    const argv of [["--help"], ["-h"], [...BASE, "--help"], [
      "--bogus",
      "--help",
    ]]
  ) {
    const parsed = parseWorkerArgs(argv);
    assert.equal(parsed.kind, "help", argv.join(" "));
  }
  const parsed = parseWorkerArgs(["--help"]);
  assert.ok(parsed.kind === "help");
  assert.match(
    parsed.text,
    /^Usage: deno run -A jsr:@wool\/core\/worker --listen HOST:PORT/,
  );
  for (const flag of Object.keys(WORKER_FLAGS)) {
    assert.match(parsed.text, new RegExp(`^  ${flag}\\b`, "m"), flag);
  }
  for (
    const flag of [
      "--listen",
      "--advertise",
      "--token-file",
      "--tls-cert",
      "--tls-key",
      "--tls-ca",
      "--insecure",
      "--backpressure",
      "--backpressure-export",
      "--backpressure-options",
      "--backpressure-timeout-ms",
      "--tag",
      "--config",
      "--grace-ms",
      "--nats",
      "--nats-subject",
      "--help",
      "--capacity",
      "--allow-known-bad-deno",
    ]
  ) {
    assert.ok(Object.hasOwn(WORKER_FLAGS, flag), `DESIGN §1.8 flag ${flag}`);
  }
});

Deno.test("parseWorkerArgs names an unknown flag, a stray argument, a missing or unwanted value, a repeat", () => {
  assertUsage([...BASE, "--port", "1"], "--port", /unknown flag/);
  assertUsage([...BASE, "-v"], undefined, /unexpected argument "-v"/);
  assertUsage([...BASE, "extra"], undefined, /unexpected argument "extra"/);
  assertUsage(
    ["--insecure", "--listen"],
    "--listen",
    /needs a value \(HOST:PORT\)/,
  );
  assertUsage(["--listen", "--insecure"], "--listen", /needs a value/);
  assertUsage([...BASE, "--insecure=yes"], "--insecure", /takes no value/);
  assertUsage(
    [...BASE, "--grace-ms", "1", "--grace-ms", "2"],
    "--grace-ms",
    /given more than once/,
  );
  assertUsage(
    [...BASE, "--listen", "127.0.0.1:1"],
    "--listen",
    /given more than once/,
  );
});

Deno.test("parseWorkerArgs names a bad --listen or --advertise address", () => {
  assertUsage(["--insecure"], "--listen", /is required/);
  assertUsage(
    ["--insecure", "--listen", "7000"],
    "--listen",
    /"7000" is not a HOST:PORT: it has no :port/,
  );
  assertUsage(
    ["--insecure", "--listen", "127.0.0.1:70000"],
    "--listen",
    /out of range \(0–65535\)/,
  );
  assertUsage(["--insecure", "--listen", "::1:7000"], "--listen", /brackets/);
  assertUsage(
    [...BASE, "--advertise", "10.0.0.5:0"],
    "--advertise",
    /out of range \(1–65535\)/,
  );
  assertUsage(
    [...BASE, "--advertise", "0.0.0.0:7000"],
    "--advertise",
    /0.0.0.0 is not an address a pool can reach/,
  );
  assertUsage([...BASE, "--advertise", "http://x:1"], "--advertise", /URL/);
});

Deno.test("parseWorkerArgs enforces how authentication flags go together", () => {
  assertUsage(
    ["--listen", "127.0.0.1:0"],
    undefined,
    /refusing to serve unauthenticated: give --token-file and\/or --tls-cert, --tls-key and --tls-ca \(mutual TLS\), or --insecure/,
  );
  assertUsage(
    ["--listen", "127.0.0.1:0", "--tls-cert", "c", "--tls-key", "k"],
    undefined,
    /TLS without --tls-ca lets any caller in; add --token-file or --tls-ca, or --insecure/,
  );
  assertUsage(
    [...BASE, "--token-file", "t"],
    "--insecure",
    /cannot go with --token-file or --tls-ca, which authenticate callers/,
  );
  assertUsage(
    [...BASE, "--tls-cert", "c", "--tls-key", "k", "--tls-ca", "ca"],
    "--insecure",
    /cannot go/,
  );
  assertUsage(
    ["--listen", "127.0.0.1:0", "--tls-cert", "c"],
    "--tls-cert",
    /needs --tls-key/,
  );
  assertUsage(
    ["--listen", "127.0.0.1:0", "--tls-key", "k"],
    "--tls-key",
    /needs --tls-cert/,
  );
  assertUsage(
    ["--listen", "127.0.0.1:0", "--token-file", "t", "--tls-ca", "ca"],
    "--tls-ca",
    /needs --tls-cert and --tls-key/,
  );
  assertUsage(
    ["--listen", "127.0.0.1:0", "--token-file", ""],
    "--token-file",
    /needs a file path/,
  );
  assertUsage(
    ["--listen", "127.0.0.1:0", "--tls-cert= ", "--tls-key", "k"],
    "--tls-cert",
    /needs a file path/,
  );
});

Deno.test("parseWorkerArgs checks the backpressure flags and that they come with --backpressure", () => {
  assertUsage(
    [...BASE, "--backpressure-export", "maxActive"],
    "--backpressure-export",
    /needs --backpressure/,
  );
  assertUsage(
    [...BASE, "--backpressure-options", "{}"],
    "--backpressure-options",
    /needs --backpressure/,
  );
  assertUsage(
    [...BASE, "--backpressure-timeout-ms", "5"],
    "--backpressure-timeout-ms",
    /needs --backpressure/,
  );
  assertUsage(
    [...BASE, "--backpressure", " "],
    "--backpressure",
    /needs a module specifier/,
  );
  const hook = [...BASE, "--backpressure", "./hook.ts"];
  assertUsage(
    [...hook, "--backpressure-export", "max-active"],
    "--backpressure-export",
    /"max-active" is not an export name/,
  );
  assertUsage(
    [...hook, "--backpressure-options", "{limit: 8}"],
    "--backpressure-options",
    /is not JSON/,
  );
  assertUsage(
    [...hook, "--backpressure-timeout-ms", "0"],
    "--backpressure-timeout-ms",
    /from 1 to 2147483647/,
  );
  assertUsage(
    [...hook, "--backpressure-timeout-ms", "1.5"],
    "--backpressure-timeout-ms",
    /whole number of milliseconds/,
  );
  assert.deepStrictEqual(serve(...hook).backpressure, { module: "./hook.ts" });
  assert.deepStrictEqual(
    serve(...hook, "--backpressure-options", "null").backpressure,
    {
      module: "./hook.ts",
      options: null,
    },
  );
});

Deno.test("parseWorkerArgs checks --capacity", () => {
  for (const bad of ["0", "-1", "many", "1.5", "1000001", ""]) {
    assertUsage(
      [...BASE, `--capacity=${bad}`],
      "--capacity",
      /must be a whole number from 1 to 1000000/,
    );
  }
  assert.equal(serve(...BASE, "--capacity", "1").capacity, 1);
});

Deno.test("parseWorkerArgs checks --grace-ms and --tag values", () => {
  for (const bad of ["soon", "-1", "1e3", "2147483648", ""]) {
    assertUsage(
      [...BASE, `--grace-ms=${bad}`],
      "--grace-ms",
      /must be a whole number of milliseconds from 0 to 2147483647/,
    );
  }
  assert.equal(serve(...BASE, "--grace-ms", "2147483647").graceMs, 2 ** 31 - 1);
  for (const bad of ["", "has space", "a,b", "x".repeat(257)]) {
    assertUsage(
      [...BASE, `--tag=${bad}`],
      "--tag",
      /must be 1–256 characters without spaces or commas/,
    );
  }
  assertUsage([...BASE, "--config="], "--config", /needs a file path/);
});

Deno.test("parseWorkerArgs checks the NATS flags", () => {
  assertUsage(
    [...BASE, "--nats-subject", "s"],
    "--nats-subject",
    /needs --nats/,
  );
  assertUsage(
    [...BASE, "--nats", "http://127.0.0.1:4222"],
    "--nats",
    /"http:\/\/127.0.0.1:4222" is not a NATS server URL: its scheme http:/,
  );
  assertUsage(
    [...BASE, "--nats", "127.0.0.1:4222,"],
    "--nats",
    /"" is not a NATS server URL/,
  );
  assertUsage(
    [...BASE, "--nats", "127.0.0.1:4222", "--nats-subject", "wool.>"],
    "--nats-subject",
    /"wool.>" is not a NATS subject without wildcards/,
  );
  assertUsage(
    ["--listen", "0.0.0.0:7000", "--insecure", "--nats", "127.0.0.1:4222"],
    "--nats",
    /needs --advertise when --listen binds every interface \(0.0.0.0\)/,
  );
  assertUsage(
    ["--listen", "[::]:7000", "--insecure", "--nats", "127.0.0.1:4222"],
    "--nats",
    /\(::\)/,
  );
});
