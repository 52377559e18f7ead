/**
 * Finding the Deno configuration file the way `deno run` finds it, so that
 * workers resolve modules exactly as their caller does (its import map,
 * `npm:` dependencies, `nodeModulesDir`).
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The file names Deno looks for in each directory, in order. */
export const CONFIG_FILE_NAMES: readonly string[] = Object.freeze([
  "deno.json",
  "deno.jsonc",
]);

/**
 * Finds the configuration file Deno uses for a main module.
 *
 * Deno walks up from the main module's directory when the main module is a
 * `file:` URL (so `deno run /a/b/main.ts` uses `/a/b/deno.json` whatever
 * the working directory), and from the working directory otherwise (a
 * remote main module, `deno eval`). In each directory it takes `deno.json`,
 * then `deno.jsonc`; the first one found wins.
 *
 * Not covered: a `--config` or `--no-config` flag given to the caller's own
 * process (no Deno API tells), and a workspace root above the file found
 * (the worker's `deno run --config <file>` finds that one itself).
 *
 * @param mainModule The main module's URL.
 * @param cwd The directory to start from when the main module is not a
 * `file:` URL.
 * @returns The path of the configuration file, or `undefined` when there is
 * none up to the root.
 * @throws {Deno.errors.NotCapable} when the process may not read a
 * directory on the way (no `--allow-read`).
 */
export function findDenoConfig(
  mainModule: string = Deno.mainModule,
  cwd: string = Deno.cwd(),
): string | undefined {
  let directory = mainModule.startsWith("file:")
    ? dirname(fileURLToPath(mainModule))
    : cwd;
  while (true) {
    for (const name of CONFIG_FILE_NAMES) {
      const path = join(directory, name);
      if (isFile(path)) return path;
    }
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch (error) {
    if (
      error instanceof Deno.errors.NotFound ||
      error instanceof Deno.errors.NotADirectory
    ) {
      return false;
    }
    throw error;
  }
}
