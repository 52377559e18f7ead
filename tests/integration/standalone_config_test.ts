/**
 * `--config FILE`: a standalone worker re-launches itself under that Deno
 * config, so task modules resolve through its import map; the launcher
 * passes signals on and exits as the worker does, its death ends the
 * worker, and a grant it cannot pass on exactly is refused.
 *
 * @module
 */
import assert from "node:assert/strict";
import { deserialize } from "node:v8";
import { pathToFileURL } from "node:url";
import { decodeError } from "../../src/wire/errors.ts";
import { TaskLoadError } from "../../src/wire/task_load_error.ts";
import { waitForExit } from "../_helpers/processes.ts";
import {
  GrpcStatus,
  RawWorkerClient,
  taskFrame,
} from "../_helpers/raw_client.ts";
import { StandaloneProcess } from "../_helpers/standalone_process.ts";

/** A project of its own: a config mapping `greeting`, and a task using it. */
class Project implements AsyncDisposable {
  private constructor(readonly dir: string, readonly cwd: string) {}

  static async create(): Promise<Project> {
    const dir = await Deno.makeTempDir({ prefix: "wool-config-" });
    await Deno.writeTextFile(
      `${dir}/deno.json`,
      JSON.stringify({ imports: { greeting: "./greeting.ts" } }),
    );
    await Deno.writeTextFile(
      `${dir}/greeting.ts`,
      "export function greet(name: string): string { return `hello, ${name}`; }\n",
    );
    await Deno.writeTextFile(
      `${dir}/tasks.ts`,
      'import { greet } from "greeting";\nexport function hello(name: string): string { return greet(name); }\n',
    );
    // Somewhere with no config of its own to be found.
    const cwd = await Deno.makeTempDir({ prefix: "wool-cwd-" });
    return new Project(dir, cwd);
  }

  get config(): string {
    return `${this.dir}/deno.json`;
  }

  get tasks(): string {
    return pathToFileURL(`${this.dir}/tasks.ts`).href;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.dir, { recursive: true });
    await Deno.remove(this.cwd, { recursive: true });
  }
}

Deno.test("standalone worker --config: a task module importing a bare specifier of that config's import map runs; without it, it does not load", async () => {
  await using project = await Project.create();
  const listen = ["--listen", "127.0.0.2:0", "--insecure"];
  const hello = taskFrame({ module: project.tasks, export: "hello" }, ["wool"]);
  {
    await using plain = await StandaloneProcess.start(listen, {
      cwd: project.cwd,
    });
    using raw = await RawWorkerClient.connect(plain.address);
    const { frames } = await raw.dispatch([hello]);
    assert.equal(frames[0]?.frame, "nack");
    assert.ok(frames[0].frame === "nack");
    assert.ok(decodeError(frames[0].nack.error) instanceof TaskLoadError);
  }
  await using worker = await StandaloneProcess.start(
    [...listen, "--config", project.config],
    { cwd: project.cwd },
  );
  using raw = await RawWorkerClient.connect(worker.address);
  const { frames, status } = await raw.dispatch([hello]);
  assert.equal(status.code, GrpcStatus.OK);
  const result = frames.find((frame) => frame.frame === "result");
  assert.ok(result?.frame === "result", JSON.stringify(frames));
  assert.equal(deserialize(result.result.value), "hello, wool");
  const { pid } = await raw.info();
  assert.notEqual(pid, worker.pid, "the worker is the launcher's child");
  worker.kill("SIGTERM");
  assert.equal((await worker.exited).code, 0);
  await waitForExit(pid);
});

Deno.test("standalone worker --config: the worker drains on the launcher's SIGTERM, and ends when the launcher is killed", async () => {
  await using project = await Project.create();
  const args = [
    "--listen",
    "127.0.0.2:0",
    "--insecure",
    "--config",
    project.config,
  ];
  {
    await using worker = await StandaloneProcess.start(args, {
      cwd: project.cwd,
    });
    using raw = await RawWorkerClient.connect(worker.address);
    const { pid } = await raw.info();
    worker.kill("SIGTERM");
    const exit = await worker.exited;
    assert.equal(exit.code, 0);
    assert.match(exit.stderr, /SIGTERM: draining/, "the worker drained");
    await waitForExit(pid);
  }
  await using killed = await StandaloneProcess.start(args, {
    cwd: project.cwd,
  });
  using raw = await RawWorkerClient.connect(killed.address);
  const { pid } = await raw.info();
  killed.kill("SIGKILL");
  await killed.exited;
  await waitForExit(pid);
});

Deno.test("standalone worker --config refuses, naming the flag, a grant it holds only in part", async () => {
  await using project = await Project.create();
  const exit = await StandaloneProcess.run(
    ["--listen", "127.0.0.2:0", "--insecure", "--config", project.config],
    {
      cwd: project.cwd,
      runFlags: [
        "--allow-read",
        "--allow-env",
        "--allow-net",
        "--allow-run",
        `--allow-write=${project.cwd}`,
      ],
    },
  );
  assert.equal(exit.code, 2, exit.stderr);
  assert.match(
    exit.stderr,
    /^wool-worker: --config: .*holds the write permission only in part/,
  );
  assert.equal(exit.stdout, "");
});
