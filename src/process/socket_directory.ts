/**
 * A pool's socket directory: where its workers listen on Unix domain
 * sockets, one per worker (`w1.sock`, `w2.sock`, …).
 *
 * It is made per pool in the temporary directory (`wool-XXXX`), its mode
 * set to 0700 and checked: only the pool's user can open it, so no other
 * user can even reach a worker's socket (every call is also authenticated
 * with the pool's secret). `remove()` at `close()` takes it away; each
 * worker also removes its own socket as it exits, then the directory when
 * it is the last one out, and the pool's reaper removes it when the pool's
 * process dies, so a pool killed without `close()` leaves nothing behind.
 *
 * Unix sockets are not used where they are not available:
 * {@linkcode SocketDirectory.create} gives `undefined` on Windows, when
 * the directory's path leaves no room for a socket name (the OS limit of
 * {@linkcode MAX_SOCKET_PATH_BYTES}), or when the directory cannot be made
 * private; the pool then listens on TCP on 127.0.0.1, with the same
 * secret.
 *
 * @module
 */
import { join } from "node:path";
import { poolPermissionError } from "./preflight.ts";

/**
 * The longest socket path, in bytes, that every Unix the pool runs on
 * accepts: `sun_path` holds 108 bytes on Linux and 104 on macOS, with the
 * terminating NUL.
 */
export const MAX_SOCKET_PATH_BYTES = 103;

/** Room kept for a socket's name: `w` and up to 10 digits, then `.sock`. */
const SOCKET_NAME_ROOM = "/w0000000000.sock".length;

const encoder = new TextEncoder();

/** A private directory for a pool's worker sockets. */
export class SocketDirectory {
  /** The directory's absolute path. */
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  /**
   * Makes the directory, mode 0700, in the temporary directory.
   *
   * @returns The directory, or `undefined` where Unix sockets cannot be
   * used (see the module doc); nothing is left behind then.
   * @throws {MissingPermission} when this process may not make it (no
   * `read` and `write` of the temporary directory).
   */
  static async create(): Promise<SocketDirectory | undefined> {
    if (Deno.build.os === "windows") return undefined;
    let path: string;
    try {
      path = await Deno.makeTempDir({ prefix: "wool-" });
    } catch (error) {
      throw poolPermissionError(
        error,
        "it keeps its workers' Unix sockets in a private directory in the temporary directory",
      ) ?? error;
    }
    const directory = new SocketDirectory(path);
    if (
      encoder.encode(path).length + SOCKET_NAME_ROOM > MAX_SOCKET_PATH_BYTES ||
      !await makePrivate(path)
    ) {
      await directory.remove();
      return undefined;
    }
    return directory;
  }

  /** The socket of the worker `id`. */
  socketPath(id: string): string {
    return join(this.path, `${id}.sock`);
  }

  /** Removes the socket of a worker that exited without removing it. */
  removeSocket(id: string): void {
    try {
      Deno.removeSync(this.socketPath(id));
    } catch {
      // Removed by the worker itself, as it should be.
    }
  }

  /** Removes the directory and whatever is left in it. */
  async remove(): Promise<void> {
    await Deno.remove(this.path, { recursive: true }).catch(() => {});
  }
}

/**
 * Sets `path`'s mode to 0700 and checks it took: no access for group or
 * others. (It is this user's: `makeTempDir` made it, under a fresh name,
 * failing rather than reusing one that exists.)
 */
async function makePrivate(path: string): Promise<boolean> {
  try {
    await Deno.chmod(path, 0o700);
    const info = await Deno.stat(path);
    return info.isDirectory && info.mode !== null &&
      (info.mode & 0o777) === 0o700;
  } catch {
    return false;
  }
}
