/**
 * Files as tests look at them.
 *
 * @module
 */

/** True when something (a file, a directory, a socket) is at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
