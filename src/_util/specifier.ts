/**
 * Module specifiers of user code: the relative ones the pool refuses, and
 * the resolution shared by the two places a worker imports user code (the
 * backpressure hook loader and the task loader).
 *
 * A relative specifier (`./tasks.ts`) in code means "next to this module",
 * but a worker receives only the string, not the module that wrote it, and
 * no library can tell reliably (a stack frame can lie: bundles, wrappers,
 * `eval`). So task modules and hooks given to a pool must be absolute:
 * `import.meta.resolve("./tasks.ts")`, a `URL`, a bare name of the import
 * map, or a registry specifier. Only a standalone worker's command line
 * (`--backpressure ./hook.ts`) takes a relative path, against its cwd, as
 * any command line does.
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

/**
 * True for a specifier relative to the module that wrote it: `./x`, `../x`
 * (and `.`/`..` alone).
 */
export function isRelativeSpecifier(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../") ||
    specifier === "." || specifier === "..";
}

/**
 * Why a relative specifier is refused, and what to pass instead, for a
 * message: `the relative specifier "./tasks.ts" cannot be resolved against
 * your module by a worker: pass import.meta.resolve("./tasks.ts")`.
 */
export function relativeSpecifierAdvice(specifier: string): string {
  const quoted = JSON.stringify(specifier);
  return `the relative specifier ${quoted} cannot be resolved against your module by a worker, which receives only the string: pass import.meta.resolve(${quoted}) (or a URL) instead`;
}

function isPathSpecifier(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../") ||
    specifier.startsWith("/");
}
