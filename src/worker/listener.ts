/**
 * A worker's listening socket, owned by the worker rather than by grpc-js,
 * so that it can bound the connections nobody has vouched for yet.
 *
 * Each accepted connection is handed to the gRPC server (a grpc-js
 * connection injector) and counts as *pending* until a call on it is
 * authenticated. At most `maxPendingConnections` may be pending: one more
 * is closed as it arrives. A pending connection that has made no
 * authenticated call within `pendingConnectionTimeoutMs` is closed. An
 * authenticated connection (the pool's) is not limited here.
 *
 * To tell which connection a call came on, each accepted socket is stamped
 * with its number as `localPort`, which grpc-js reports for every call
 * (`getConnectionInfo()`). A Unix socket has no port of its own, and on TCP
 * the local port is the listening port, the same for every connection, so
 * the stamp hides nothing.
 *
 * On a Unix socket, {@linkcode WorkerListener.close} removes the socket
 * file.
 *
 * @module
 */
import net from "node:net";
import { UNIX_ADDRESS_PREFIX } from "../wire/launch.ts";
import type { CallConnection } from "./auth_interceptor.ts";

/** The limits a listener applies to connections not yet authenticated. */
export interface PendingLimits {
  /** Connections pending at once, at most. */
  readonly maxPendingConnections: number;
  /** Milliseconds a connection may stay pending. */
  readonly pendingConnectionTimeoutMs: number;
}

interface Pending {
  readonly socket: net.Socket;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** A listening socket that hands its connections to a gRPC server. */
export class WorkerListener {
  /** The socket file, when listening on a Unix socket. */
  readonly socketPath: string | undefined;
  readonly #server: net.Server;
  readonly #inject: (socket: net.Socket) => void;
  readonly #limits: PendingLimits;
  readonly #pending = new Map<number, Pending>();
  #address = "";
  #accepted = 0;

  private constructor(
    socketPath: string | undefined,
    inject: (socket: net.Socket) => void,
    limits: PendingLimits,
  ) {
    this.socketPath = socketPath;
    this.#inject = inject;
    this.#limits = limits;
    this.#server = net.createServer((socket) => this.#accept(socket));
  }

  /**
   * Listens at `listen` (`unix:<absolute path>`, or `host:port` with port
   * 0 for any free one) and hands each connection to `inject`.
   *
   * @throws the listen error (the path or port taken, a missing
   * permission).
   */
  static async listen(
    listen: string,
    inject: (socket: net.Socket) => void,
    limits: PendingLimits,
  ): Promise<WorkerListener> {
    const socketPath = listen.startsWith(UNIX_ADDRESS_PREFIX)
      ? listen.slice(UNIX_ADDRESS_PREFIX.length)
      : undefined;
    const listener = new WorkerListener(socketPath, inject, limits);
    const server = listener.#server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      if (socketPath !== undefined) server.listen(socketPath, resolve);
      else {
        const { host, port } = splitHostPort(listen);
        server.listen(port, host, resolve);
      }
    });
    listener.#address = socketPath !== undefined
      ? listen
      : tcpAddress(server.address() as net.AddressInfo);
    return listener;
  }

  /** `unix:<path>` or `host:port`, as a grpc-js client dials it. */
  get address(): string {
    return this.#address;
  }

  /** Connections accepted and not yet authenticated. */
  get pending(): number {
    return this.#pending.size;
  }

  /** A call on `connection` was authenticated: it is no longer pending. */
  authenticated(connection: CallConnection): void {
    const number = connection.localPort;
    if (number === undefined) return;
    const pending = this.#pending.get(number);
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    this.#pending.delete(number);
  }

  /**
   * Stops accepting connections and removes the socket file. Connections
   * already open are the gRPC server's to close.
   *
   * @returns A promise that settles once every connection this listener
   * accepted has closed; it never rejects.
   */
  close(): Promise<void> {
    for (const { timer } of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
    const closed = new Promise<void>((resolve) =>
      this.#server.close(() => resolve())
    );
    if (this.socketPath !== undefined) tryRemove(this.socketPath);
    return closed;
  }

  #accept(socket: net.Socket): void {
    if (this.#pending.size >= this.#limits.maxPendingConnections) {
      socket.destroy();
      return;
    }
    const number = ++this.#accepted;
    Object.defineProperty(socket, "localPort", { value: number });
    if (this.socketPath === undefined) socket.setNoDelay(true);
    const timer = setTimeout(
      () => socket.destroy(),
      this.#limits.pendingConnectionTimeoutMs,
    );
    Deno.unrefTimer(timer as unknown as number);
    this.#pending.set(number, { socket, timer });
    socket.once("close", () => {
      const pending = this.#pending.get(number);
      if (pending?.socket !== socket) return;
      clearTimeout(pending.timer);
      this.#pending.delete(number);
    });
    this.#inject(socket);
  }
}

/** Removes a file or an empty directory, if it can; anything else is left. */
export function tryRemove(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // Gone already, or not ours to remove: nothing is left to do.
  }
}

function splitHostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(":");
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return { host, port: Number(address.slice(colon + 1)) };
}

function tcpAddress(info: net.AddressInfo): string {
  const host = info.address.includes(":") ? `[${info.address}]` : info.address;
  return `${host}:${info.port}`;
}
