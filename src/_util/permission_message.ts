/**
 * Reading Deno's permission errors: which permission was missing, for what.
 *
 * Deno (2.x) raises `Deno.errors.NotCapable` (1.x: `PermissionDenied`; a
 * dynamic import: `TypeError`) with messages of one shape:
 *
 * ```text
 * Requires read access to "/data/x.csv", run again with the --allow-read flag
 * Requires write access to <TMP>, run again with the --allow-write flag
 * Requires env access, run again with the --allow-env flag
 * Requires net access to "127.0.0.1:9", specify the required permissions during compilation using `deno compile --allow-net`
 * ```
 *
 * The target is quoted, a placeholder Deno uses to avoid showing a path
 * (`<CWD>`, `<TMP>`, `<exec_path>`), or absent (the whole permission).
 *
 * @module
 */

/** A permission Deno refused, read from its message. */
export interface PermissionRequirement {
  /** The permission name: `read`, `write`, `net`, `env`, `run`, `sys`, `ffi`, `import`, … */
  readonly name: string;
  /** The path, host, variable or program, when Deno named one. */
  readonly target?: string;
  /** The placeholder Deno showed instead of a path (`<TMP>`), if any. */
  readonly placeholder?: string;
}

const REQUIRES =
  /Requires (\w+) access(?: to (?:"((?:[^"\\]|\\.)*)"|(<[^>]+>)))?, (?:run again with the --allow-\w+ flag|specify the required permissions)/;

/**
 * Reads a permission requirement out of an error message, wherever it
 * appears in it (wrappers put their own words first).
 *
 * @param message An error message.
 * @returns The requirement, or `undefined` when the message is not one of
 * Deno's permission messages.
 */
export function parsePermissionMessage(
  message: string,
): PermissionRequirement | undefined {
  const match = REQUIRES.exec(message);
  if (match === null) return undefined;
  const [, name, quoted, placeholder] = match;
  if (quoted !== undefined) {
    return { name, target: quoted.replace(/\\(.)/g, "$1") };
  }
  return placeholder === undefined ? { name } : { name, placeholder };
}

/** The names Deno gives the errors it raises for a missing permission. */
const PERMISSION_ERROR_NAMES: ReadonlySet<string> = new Set([
  "NotCapable",
  "PermissionDenied",
]);

/**
 * The requirement behind a permission error: a `Deno.errors.NotCapable`
 * (or 1.x `PermissionDenied`), live or rebuilt from the wire with that
 * `name`, whose message is one of Deno's permission messages.
 *
 * An operating-system `PermissionDenied` (`EACCES`, "Permission denied (os
 * error 13)") is not a Deno permission and gives `undefined`.
 *
 * @param error Anything thrown.
 * @returns The requirement, or `undefined` for any other error.
 */
export function permissionRequirementOf(
  error: unknown,
): PermissionRequirement | undefined {
  if (!(error instanceof Error) || !PERMISSION_ERROR_NAMES.has(error.name)) {
    return undefined;
  }
  return parsePermissionMessage(error.message);
}
