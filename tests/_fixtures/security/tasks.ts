/**
 * Task routines that probe what their worker may do.
 *
 * @module
 */
import net from "node:net";

/** Opens a TCP connection to 127.0.0.1:`port` with `Deno.connect`. */
export async function denoConnect(port: number): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.close();
  return "connected";
}

/** Opens a connection with `node:net` (as grpc-js does) to `target`. */
export async function nodeConnect(
  target: { port: number } | { path: string },
): Promise<string> {
  const socket = "port" in target
    ? net.connect(target.port, "127.0.0.1")
    : net.connect(target.path);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return "connected";
  } finally {
    socket.destroy();
  }
}

/** The state of one permission in this worker. */
export async function permissionOf(
  descriptor: Deno.PermissionDescriptor,
): Promise<Deno.PermissionState> {
  return (await Deno.permissions.query(descriptor)).state;
}

/** The value of an environment variable, as task code reads it. */
export function envValue(name: string): string | null {
  const state = Deno.permissions.querySync({ name: "env", variable: name });
  if (state.state !== "granted") return `(not readable: ${state.state})`;
  return Deno.env.get(name) ?? null;
}
