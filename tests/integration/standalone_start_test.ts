/**
 * Starting a standalone worker (`deno run -A src/worker/main.ts --listen
 * …`) as a real process: its one ready line, `--help`, the exit codes of a
 * bad command line or credential file, the warning for a token in clear,
 * its backpressure hook (a relative one resolved against its working
 * directory, a bad one refused), `--capacity`, and the Deno version guard.
 *
 * @module
 */
import assert from "node:assert/strict";
import { deserialize } from "node:v8";
import { fileURLToPath } from "node:url";
import { REASON_METADATA_KEY } from "../../src/wire/status.ts";
import { Gate } from "../_helpers/gate.ts";
import {
  GrpcStatus,
  RawWorkerClient,
  taskFrame,
} from "../_helpers/raw_client.ts";
import {
  StandaloneProcess,
  taskAtGate,
  TokenFiles,
} from "../_helpers/standalone_process.ts";

const TASKS = import.meta.resolve("../_fixtures/tasks.ts");
const HOOKS = fileURLToPath(import.meta.resolve("../_fixtures/hooks/"));
const ON_DENO_VERSION = fileURLToPath(
  import.meta.resolve("../_fixtures/standalone/on_deno_version.ts"),
);

Deno.test("standalone worker: prints exactly one ready line with the port it bound, on 127.0.0.2 and on [::1]", async () => {
  await using tokens = await TokenFiles.create();
  const tokenFile = await tokens.write("s3cret\n");
  for (
    const [listen, pattern] of [
      ["127.0.0.2:0", /^127\.0\.0\.2:(\d+)$/],
      ["[::1]:0", /^\[::1\]:(\d+)$/],
    ] as const
  ) {
    await using worker = await StandaloneProcess.start([
      "--listen",
      listen,
      "--token-file",
      tokenFile,
    ]);
    const port = Number(pattern.exec(worker.address)?.[1]);
    assert.ok(port > 0, worker.address);
    assert.equal(worker.stdout, `wool-worker listening on ${worker.address}\n`);
    using raw = await RawWorkerClient.connect(worker.address, {
      authorization: "Bearer s3cret",
    });
    const info = await raw.info();
    assert.equal(info.address, worker.address);
    assert.equal(info.pid, worker.pid);
  }
});

Deno.test("standalone worker: --help prints the usage and exits 0; a bad flag or value exits 2 naming it", async () => {
  const help = await StandaloneProcess.run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: deno run -A jsr:@wool\/core\/worker/);
  assert.match(help.stdout, /^ {2}--token-file FILE/m);
  const refused = [
    [
      ["--listen", "127.0.0.2:0", "--insecure", "--bogus"],
      /--bogus: unknown flag/,
    ],
    [
      ["--listen", "127.0.0.2", "--insecure"],
      /--listen: "127\.0\.0\.2" is not a HOST:PORT/,
    ],
    [
      ["--listen", "127.0.0.2:0", "--insecure", "--grace-ms", "soon"],
      /--grace-ms: "soon"/,
    ],
    [["--listen", "127.0.0.2:0"], /refusing to serve unauthenticated/],
  ] as const;
  for (const [args, message] of refused) {
    const exit = await StandaloneProcess.run(args);
    assert.equal(exit.code, 2, args.join(" "));
    assert.equal(exit.stdout, "");
    assert.match(exit.stderr, message);
  }
});

Deno.test("standalone worker: a token file that is missing, empty, or readable by other users exits 2 naming --token-file", async () => {
  await using tokens = await TokenFiles.create();
  const cases = [
    [`${await tokens.write("")}.missing`, /cannot read/],
    [await tokens.write(" \n"), /is empty/],
    [await tokens.write("two words"), /visible ASCII/],
    [
      await tokens.write("s3cret", 0o644),
      /readable by other users \(mode 0644\); make it private/,
    ],
  ] as const;
  for (const [file, message] of cases) {
    const exit = await StandaloneProcess.run([
      "--listen",
      "127.0.0.2:0",
      "--token-file",
      file,
    ]);
    assert.equal(exit.code, 2, file);
    assert.match(exit.stderr, /^wool-worker: --token-file: /);
    assert.match(exit.stderr, message);
  }
});

Deno.test("standalone worker: with a token over plain TCP it warns on stderr that the token travels in clear, and takes the file's trimmed content", async () => {
  await using tokens = await TokenFiles.create();
  await using worker = await StandaloneProcess.start([
    "--listen",
    "127.0.0.2:0",
    "--token-file",
    await tokens.write("  s3cret \n"),
  ]);
  assert.match(worker.stderr, /warning: the token travels in clear/);
  using raw = await RawWorkerClient.connect(worker.address, {
    authorization: "Bearer s3cret",
  });
  assert.equal((await raw.info()).draining, false);
});

Deno.test("standalone worker: a relative --backpressure resolves against its working directory; a bad hook exits 1 naming it", async () => {
  await using worker = await StandaloneProcess.start(
    [
      "--listen",
      "127.0.0.2:0",
      "--insecure",
      "--backpressure",
      "./with_reason.ts",
    ],
    { cwd: HOOKS },
  );
  using raw = await RawWorkerClient.connect(worker.address);
  const { frames, status } = await raw.dispatch([
    taskFrame({ module: TASKS, export: "add" }, [1, 2]),
  ]);
  assert.deepStrictEqual(frames, []);
  assert.equal(status.code, GrpcStatus.RESOURCE_EXHAUSTED);
  assert.equal(status.metadata.get(REASON_METADATA_KEY)[0], "busy");

  const bad = await StandaloneProcess.run(
    [
      "--listen",
      "127.0.0.2:0",
      "--insecure",
      "--backpressure",
      "./not_a_function.ts",
    ],
    { cwd: HOOKS },
  );
  assert.equal(bad.code, 1);
  assert.match(
    bad.stderr,
    /Cannot load backpressure hook "default" from "\.\/not_a_function\.ts"/,
  );
  assert.equal(bad.stdout, "");
});

Deno.test("standalone worker: --capacity runs that many tasks at once, rejects the next as backpressure, and tells it in Info", async () => {
  await using gate = Gate.open();
  await using worker = await StandaloneProcess.start([
    "--listen",
    "127.0.0.2:0",
    "--insecure",
    "--capacity",
    "1",
  ]);
  using raw = await RawWorkerClient.connect(worker.address);
  assert.equal((await raw.info()).capacity, 1);
  const { outcome: first } = await taskAtGate(raw, gate, "first");
  const second = await raw.dispatch([
    taskFrame({ module: TASKS, export: "add" }, [1, 2]),
  ]);
  assert.equal(second.status.code, GrpcStatus.RESOURCE_EXHAUSTED);
  assert.match(
    second.status.metadata.get(REASON_METADATA_KEY)[0] as string,
    /--capacity/,
  );
  await gate.release();
  const { frames, status } = await first;
  assert.equal(status.code, GrpcStatus.OK);
  const result = frames.find((frame) => frame.frame === "result");
  assert.ok(result?.frame === "result");
  assert.equal(deserialize(result.result.value), "first");
});

Deno.test("standalone worker: on a Deno release known to break wool it exits 1 naming the version and the fix, unless --allow-known-bad-deno", async () => {
  const args = ["--listen", "127.0.0.2:0", "--insecure"];
  const refused = await StandaloneProcess.run(["2.9.5", ...args], {
    module: ON_DENO_VERSION,
  });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /Deno 2\.9\.5 aborts a process serving HTTP\/2/);
  assert.match(refused.stderr, /npm install -g deno@2\.9\.3/);
  assert.match(refused.stderr, /--allow-known-bad-deno/);
  await using allowed = await StandaloneProcess.start(
    ["2.9.5", ...args, "--allow-known-bad-deno"],
    { module: ON_DENO_VERSION },
  );
  assert.match(allowed.address, /^127\.0\.0\.2:\d+$/);
});
