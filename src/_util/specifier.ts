/**
 * Module specifier resolution shared by the two places a worker imports user
 * code: the backpressure hook loader and the task loader.
 *
 * @module
 */
import { pathToFileURL } from "node:url";

/**
 * Resolves a module specifier the way a user wrote it on the command line:
 * a relative (`./`, `../`) or absolute-path (`/x`) specifier resolves
 * against `cwd` to a `file:` URL; any other specifier (`file:`, `https:`,
 * `npm:`, `jsr:`, `data:`, or a bare name the import map resolves, such as
 * `@wool/core/backpressure`) is returned unchanged, for `import()` to
 * resolve.
 *
 * @param specifier The specifier to resolve.
 * @param cwd The directory relative specifiers are taken from.
 * @returns The specifier to pass to `import()`: a `file:` URL's href for a
 * path, `specifier` itself otherwise.
 */
export function resolveModuleSpecifier(
  specifier: string,
  cwd: string = Deno.cwd(),
): string {
  if (!isPathSpecifier(specifier)) return specifier;
  const base = pathToFileURL(cwd.endsWith("/") ? cwd : `${cwd}/`);
  return new URL(specifier, base).href;
}

function isPathSpecifier(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../") ||
    specifier.startsWith("/");
}
