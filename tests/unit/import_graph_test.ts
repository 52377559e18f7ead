/**
 * The shape of the import graph of `src/`, read with `deno info --json`
 * from every entry point `deno.json` exports: no cycle, the caller side and
 * the worker side never import each other, the `./task` entry that task
 * code imports pulls in nothing of the caller's side, and the wire is
 * generated code (no .proto parser among the npm packages loaded).
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = new URL("../../", import.meta.url);
const SRC = new URL("src/", ROOT).href;

interface InfoModule {
  readonly specifier: string;
  readonly dependencies?: readonly {
    readonly code?: { readonly specifier?: string };
    readonly type?: { readonly specifier?: string };
    readonly isDynamic?: boolean;
  }[];
}

/** The npm modules reachable from the package's entry points. */
const npmReached = new Set<string>();

/**
 * The one import allowed across the sides: `pool/options.ts` names the
 * worker entry in an `import()` that never runs, so that `deno cache` of a
 * caller caches the worker's graph too.
 */
const CACHE_HINT = { from: "pool/options.ts", to: "worker/main.ts" };

interface Info {
  readonly modules: readonly InfoModule[];
}

/** `deno info --json` of `entry`, a path relative to the repository root. */
async function infoOf(entry: string): Promise<Info> {
  const { stdout, success } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", fileURLToPath(new URL(entry, ROOT))],
    cwd: fileURLToPath(ROOT),
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.ok(success, `deno info ${entry} failed`);
  return JSON.parse(new TextDecoder().decode(stdout)) as Info;
}

const config = JSON.parse(
  await Deno.readTextFile(new URL("deno.json", ROOT)),
) as { exports: Record<string, string> };

/** Every module of `src/` reachable from the package's entry points, with what it imports of `src/` (code and types). */
async function sourceGraph(): Promise<Map<string, Set<string>>> {
  const graph = new Map<string, Set<string>>();
  for (const entry of Object.values(config.exports)) {
    const info = await infoOf(entry);
    for (const module of info.modules) {
      if (module.specifier.startsWith("npm:")) npmReached.add(module.specifier);
      if (!module.specifier.startsWith(SRC)) continue;
      const imports = graph.get(module.specifier) ?? new Set<string>();
      for (const dependency of module.dependencies ?? []) {
        if (dependency.isDynamic && isCacheHint(module, dependency)) continue;
        for (const target of [dependency.code, dependency.type]) {
          if (target?.specifier?.startsWith(SRC)) imports.add(target.specifier);
        }
      }
      graph.set(module.specifier, imports);
    }
  }
  return graph;
}

function isCacheHint(
  module: InfoModule,
  dependency: NonNullable<InfoModule["dependencies"]>[number],
): boolean {
  return module.specifier === new URL(CACHE_HINT.from, SRC).href &&
    dependency.code?.specifier === new URL(CACHE_HINT.to, SRC).href;
}

/** One import cycle of `graph`, as the path around it, or `undefined`. */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (module: string): string[] | undefined => {
    const at = path.indexOf(module);
    if (at >= 0) return [...path.slice(at), module];
    if (done.has(module)) return undefined;
    path.push(module);
    for (const next of graph.get(module) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(module);
    return undefined;
  };
  for (const module of graph.keys()) {
    const cycle = visit(module);
    if (cycle) return cycle;
  }
  return undefined;
}

const graph = await sourceGraph();
const short = (specifier: string) => specifier.slice(SRC.length);

Deno.test("src/ has no import cycle", () => {
  assert.ok(graph.size > 50, `only ${graph.size} modules found`);
  const cycle = findCycle(graph);
  assert.equal(cycle?.map(short).join(" -> "), undefined);
});

Deno.test("src/ keeps the caller side and the worker side apart", () => {
  const callerSide = ["pool/", "connection/"];
  const workerSide = ["worker/"];
  const crossings: string[] = [];
  for (const [module, imports] of graph) {
    const from = short(module);
    for (const target of [...imports].map(short)) {
      const across = (callerSide.some((dir) => from.startsWith(dir)) &&
        workerSide.some((dir) => target.startsWith(dir))) ||
        (workerSide.some((dir) => from.startsWith(dir)) &&
          callerSide.some((dir) => target.startsWith(dir)));
      if (across) crossings.push(`${from} -> ${target}`);
    }
  }
  assert.deepStrictEqual(crossings, []);
});

Deno.test("src/ loads neither @grpc/proto-loader nor protobufjs: the wire codec is generated", () => {
  assert.ok(
    [...npmReached].some((module) => module.includes("@grpc/grpc-js")),
    `grpc-js not among ${[...npmReached]}`,
  );
  assert.deepStrictEqual(
    [...npmReached].filter((module) => /proto-loader|protobufjs/.test(module)),
    [],
  );
});

Deno.test("the ./task entry pulls in none of the caller's side: no pool, connection, process, load balancer or gRPC", async () => {
  const entry = config.exports["./task"];
  assert.equal(entry, "./src/task/mod.ts");
  const info = await infoOf(entry);
  const modules = info.modules.map((module) => module.specifier);
  assert.ok(
    modules.includes(new URL("task/task_context.ts", SRC).href),
    "the graph was read",
  );
  const callerSide = ["pool/", "connection/", "process/", "loadbalancer/"]
    .map((dir) => new URL(dir, SRC).href);
  assert.deepStrictEqual(
    modules.filter((specifier) =>
      callerSide.some((dir) => specifier.startsWith(dir)) ||
      specifier.startsWith("npm:/@grpc/")
    ),
    [],
  );
  // npm packages appear as modules (`npm:/@grpc/grpc-js@…`); `npmPackages`
  // lists the whole lock file, reached or not. The imports say it too.
  const imported = info.modules.flatMap((module) =>
    (module.dependencies ?? []).map((dependency) =>
      dependency.code?.specifier ?? dependency.type?.specifier ?? ""
    )
  );
  assert.deepStrictEqual(
    imported.filter((specifier) => /^npm:\/?@grpc\//.test(specifier)),
    [],
  );
});

Deno.test("deno info of mod.ts lists the worker entry, through one dynamic import that never runs", async () => {
  const info = await infoOf(config.exports["."]);
  const worker = new URL(CACHE_HINT.to, SRC).href;
  assert.equal(config.exports["./worker"], "./src/worker/main.ts");
  assert.ok(
    info.modules.some((module) => module.specifier === worker),
    "deno cache of a program importing @wool/core would not fetch the worker",
  );
  // Its graph comes along: what the worker alone imports is there too.
  assert.ok(
    info.modules.some((module) =>
      module.specifier === new URL("worker/run_worker.ts", SRC).href
    ),
  );
  const importers = info.modules.flatMap((module) =>
    (module.dependencies ?? [])
      .filter((dependency) => dependency.code?.specifier === worker)
      .map((dependency) => ({
        from: module.specifier.slice(SRC.length),
        dynamic: dependency.isDynamic === true,
      }))
  );
  assert.deepStrictEqual(importers, [{ from: CACHE_HINT.from, dynamic: true }]);
});

Deno.test("findCycle() finds a cycle, and none in a tree", () => {
  const cyclic = new Map([
    ["a", new Set(["b"])],
    ["b", new Set(["c"])],
    ["c", new Set(["a"])],
  ]);
  assert.deepStrictEqual(findCycle(cyclic), ["a", "b", "c", "a"]);
  const tree = new Map([["a", new Set(["b", "c"])], ["b", new Set(["c"])]]);
  assert.equal(findCycle(tree), undefined);
});
