import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { findDenoConfig } from "../../../src/process/config_file.ts";

async function withTempDir(
  fn: (root: string) => void | Promise<void>,
): Promise<void> {
  const root = await Deno.realPath(await Deno.makeTempDir());
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function touch(path: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, "{}\n");
}

function mainModule(path: string): string {
  return pathToFileURL(path).href;
}

/** The config an ancestor of `dir` may hold outside the test's control. */
function configAbove(dir: string): string | undefined {
  for (let d = dirname(dir);; d = dirname(d)) {
    for (const name of ["deno.json", "deno.jsonc"]) {
      try {
        if (Deno.statSync(join(d, name)).isFile) return join(d, name);
      } catch {
        // Not there.
      }
    }
    if (dirname(d) === d) return undefined;
  }
}

Deno.test("findDenoConfig() walks up from a file: main module's directory, not the working directory", async () => {
  await withTempDir(async (root) => {
    await touch(join(root, "a", "deno.json"));
    await touch(join(root, "b", "deno.json"));
    assert.equal(
      findDenoConfig(mainModule(join(root, "b", "main.ts")), join(root, "a")),
      join(root, "b", "deno.json"),
    );
  });
});

Deno.test("findDenoConfig() finds the config of an ancestor directory", async () => {
  await withTempDir(async (root) => {
    await touch(join(root, "deno.json"));
    await Deno.mkdir(join(root, "x", "y"), { recursive: true });
    assert.equal(
      findDenoConfig(mainModule(join(root, "x", "y", "main.ts")), "/"),
      join(root, "deno.json"),
    );
  });
});

Deno.test("findDenoConfig() takes deno.json before deno.jsonc, and the nearest directory first", async () => {
  await withTempDir(async (root) => {
    await touch(join(root, "deno.json"));
    await touch(join(root, "app", "deno.jsonc"));
    const main = mainModule(join(root, "app", "main.ts"));
    assert.equal(findDenoConfig(main, "/"), join(root, "app", "deno.jsonc"));
    await touch(join(root, "app", "deno.json"));
    assert.equal(findDenoConfig(main, "/"), join(root, "app", "deno.json"));
  });
});

Deno.test("findDenoConfig() walks up from the working directory for a remote main module", async () => {
  await withTempDir(async (root) => {
    await touch(join(root, "deno.jsonc"));
    await Deno.mkdir(join(root, "cwd"));
    assert.equal(
      findDenoConfig("https://example.com/main.ts", join(root, "cwd")),
      join(root, "deno.jsonc"),
    );
  });
});

Deno.test("findDenoConfig() skips a directory named deno.json", async () => {
  await withTempDir(async (root) => {
    await Deno.mkdir(join(root, "app", "deno.json"), { recursive: true });
    assert.equal(
      findDenoConfig(mainModule(join(root, "app", "main.ts")), "/"),
      configAbove(root),
    );
  });
});

Deno.test("findDenoConfig() returns undefined when no directory up to the root has a config", async () => {
  await withTempDir((root) => {
    assert.equal(
      configAbove(root),
      undefined,
      "the temp dir has a config above it",
    );
    assert.equal(
      findDenoConfig(mainModule(join(root, "main.ts")), "/"),
      undefined,
    );
  });
});

Deno.test("findDenoConfig() defaults to this process's main module", () => {
  // deno test runs this file as the main module, under the repository's deno.json.
  assert.equal(
    findDenoConfig(),
    fileURLToPath(new URL("../../../deno.json", import.meta.url)),
  );
});
