/**
 * A program that imports @wool/core from a registry runs its pool with no
 * network once `deno cache` has run: the worker entry, the entries workers
 * import by name (`@wool/core/backpressure` for a built-in hook,
 * `@wool/core/task` in task code) and the protocol are all in the module
 * graph that caching the program's main module fetches.
 *
 * The test serves the package as a registry would, its files under a URL
 * from a server on 127.0.0.1, and maps `@wool/core…` to it in a consumer
 * program's `deno.json`. It caches the program into a fresh `DENO_DIR`,
 * stops the server, and runs the program with `--cached-only`. The npm
 * packages wool depends on are copied into that `DENO_DIR` from the Deno
 * cache the test runs with, so nothing leaves loopback; every module of
 * wool's own comes from the server.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** What the server serves: the published library, as `deno.json` lists it. */
const SERVED = /^\/(mod\.ts|deno\.json|LICENSE|src\/.+|proto\/.+)$/;

/** A package "registry": the library's files over HTTP, and what was asked. */
class PackageServer implements AsyncDisposable {
  readonly requested: string[] = [];
  readonly #server: Deno.HttpServer<Deno.NetAddr>;

  constructor() {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      async (request) => {
        const path = new URL(request.url).pathname;
        this.requested.push(path);
        if (!SERVED.test(path) || path.includes("..")) {
          return new Response("not found", { status: 404 });
        }
        try {
          return new Response(await Deno.readFile(join(ROOT, path)), {
            headers: { "content-type": "application/typescript" },
          });
        } catch {
          return new Response("not found", { status: 404 });
        }
      },
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.#server.addr.port}`;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#server.shutdown();
  }
}

const MAIN = `import { WorkerPool } from "@wool/core";

await using pool = await WorkerPool.start({
  spawn: 2,
  backpressure: {
    module: "@wool/core/backpressure",
    export: "maxActive",
    options: { limit: 4 },
  },
});
const tasks = pool.remote<typeof import("./tasks.ts")>(
  import.meta.resolve("./tasks.ts"),
);
const sums = await Promise.all([tasks.add(1, 2), tasks.add(3, 4)]);
console.log(JSON.stringify({ sums, workers: pool.workers.length }));
`;

const TASKS = `import { taskSignal } from "@wool/core/task";

export function add(a: number, b: number): number {
  taskSignal().throwIfAborted();
  return a + b;
}
`;

async function deno(
  args: string[],
  cwd: string,
  denoDir: string,
): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { DENO_DIR: denoDir, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, output: text.decode(stdout) + text.decode(stderr) };
}

/** The Deno cache's npm packages, for a fresh `DENO_DIR` to start from. */
async function npmCache(): Promise<string> {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
  }).output();
  return JSON.parse(new TextDecoder().decode(stdout)).npmCache;
}

Deno.test("a program importing @wool/core from a registry, once cached, runs its pool with --cached-only and the registry gone", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wool-offline-" });
  try {
    const app = join(dir, "app");
    const denoDir = join(dir, "deno_dir");
    await Deno.mkdir(app);
    await Deno.mkdir(denoDir);
    const copied = await new Deno.Command("cp", {
      args: ["-R", await npmCache(), join(denoDir, "npm")],
    }).output();
    assert.equal(copied.code, 0, "the npm packages were copied");
    await Deno.writeTextFile(join(app, "main.ts"), MAIN);
    await Deno.writeTextFile(join(app, "tasks.ts"), TASKS);

    let served: string[];
    let host: string;
    {
      await using registry = new PackageServer();
      host = new URL(registry.url).host;
      await Deno.writeTextFile(
        join(app, "deno.json"),
        JSON.stringify({
          imports: {
            "@wool/core": `${registry.url}/mod.ts`,
            "@wool/core/backpressure":
              `${registry.url}/src/backpressure/mod.ts`,
            "@wool/core/task": `${registry.url}/src/task/mod.ts`,
          },
        }),
      );
      const cached = await deno(
        ["cache", `--allow-import=${host}`, "main.ts"],
        app,
        denoDir,
      );
      assert.equal(cached.code, 0, cached.output);
      served = [...registry.requested];
    }
    for (
      const path of [
        "/mod.ts",
        "/src/worker/main.ts",
        "/src/backpressure/mod.ts",
        "/src/task/mod.ts",
        "/src/wire/wool_pb.ts",
      ]
    ) {
      assert.ok(served.includes(path), `caching main.ts fetched ${path}`);
    }

    // The registry is gone: anything not cached fails to load.
    const run = await deno(
      ["run", "-A", "--cached-only", "main.ts"],
      app,
      denoDir,
    );
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(JSON.parse(run.output.trim().split("\n").at(-1)!), {
      sums: [3, 7],
      workers: 2,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
