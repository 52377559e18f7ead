/**
 * Deno's permission names, in the order `deno run` flags list them.
 *
 * @module
 */

/** The permission names, in flag order (`--allow-read` … `--allow-import`). */
export const PERMISSION_NAMES = [
  "read",
  "write",
  "net",
  "env",
  "run",
  "ffi",
  "sys",
  "import",
] as const;

/** One of {@linkcode PERMISSION_NAMES}. */
export type PermissionName = typeof PERMISSION_NAMES[number];
