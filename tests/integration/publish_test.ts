/**
 * `deno publish --dry-run` passes, and the package holds what a JSR user
 * needs and nothing else. It runs the real command on this checkout; it
 * needs no network once the npm packages are cached (the dry run uploads
 * nothing and reads npm types from Deno's cache).
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = new URL("../../", import.meta.url);

/** What a published file may be: these files, or anything in these folders. */
const PUBLISHED_FILES = ["LICENSE", "README.md", "deno.json", "mod.ts"];
const PUBLISHED_FOLDERS = ["docs/", "examples/", "proto/", "src/"];

interface DryRun {
  readonly code: number;
  readonly output: string;
  /** Published paths, relative to the package root. */
  readonly files: readonly string[];
  /** `warning[<code>]` or `error[<code>]` headings, each with its location. */
  readonly diagnostics: readonly { heading: string; at: string }[];
}

async function dryRun(): Promise<DryRun> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: fileURLToPath(ROOT),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const output = new TextDecoder().decode(stdout) +
    new TextDecoder().decode(stderr);
  const files = [...output.matchAll(/^\s+(file:\/\/\S+) \(/gm)].map((m) =>
    m[1].slice(ROOT.href.length)
  );
  const diagnostics = [
    ...output.matchAll(/^((?:warning|error)\[[\w-]+\]).*\n\s+--> (\S+)/gm),
  ].map((m) => ({ heading: m[1], at: m[2].replace(fileURLToPath(ROOT), "") }));
  return { code, output, files, diagnostics };
}

Deno.test("deno publish --dry-run passes and publishes the library only", async () => {
  const { code, output, files, diagnostics } = await dryRun();
  assert.equal(code, 0, output);
  assert.match(output, /Success Dry run complete/);

  for (const file of files) {
    assert.ok(
      PUBLISHED_FILES.includes(file) ||
        PUBLISHED_FOLDERS.some((folder) => file.startsWith(folder)),
      `"${file}" should not be published`,
    );
  }
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  );
  const entries = Object.values(config.exports as Record<string, string>)
    .map((path) => path.replace(/^\.\//, ""));
  for (const needed of ["LICENSE", "README.md", "deno.json", ...entries]) {
    assert.ok(files.includes(needed), `"${needed}" must be published`);
  }
  assert.equal(config.license, "Apache-2.0");

  // The only warnings left are the loaders' dynamic imports of the caller's
  // module specifiers (task and hook modules), which cannot be analyzed by
  // design: they resolve at run time with the caller's configuration.
  for (const { heading, at } of diagnostics) {
    assert.equal(heading, "warning[unanalyzable-dynamic-import]", at);
    assert.match(at, /^src\//);
  }
});
