/**
 * A worker's gRPC server, put together: the `Worker` service, the
 * authentication every call passes first (`auth_interceptor.ts`), the
 * listening socket that bounds pending connections (`listener.ts`), and
 * the per-connection stream limit (`grpc.max_concurrent_streams`).
 *
 * @module
 */
import { grpc } from "../wire/grpc.ts";
import { FRAME_OVERHEAD_BYTES } from "../wire/frames.ts";
import type { ConnectionLimits } from "../wire/launch.ts";
import { loadWorkerService } from "../wire/proto.ts";
import { authInterceptor, type CallConnection } from "./auth_interceptor.ts";
import type { Authenticator } from "./authenticator.ts";
import { WorkerListener } from "./listener.ts";

/** What a worker serves, and how. */
export interface ServeOptions {
  /** `unix:<absolute path>`, or `host:0` for TCP on any free port. */
  readonly listen: string;
  /** Decides which calls are served. */
  readonly authenticator: Authenticator;
  /** What one connection may hold. */
  readonly limits: ConnectionLimits;
  /** Largest value or error payload, in bytes, either side sends. */
  readonly maxMessageBytes: number;
  /** The handlers of the `Worker` service. */
  readonly handlers: grpc.UntypedServiceImplementation;
}

/** A serving worker's server. */
export interface Serving {
  /** `unix:<path>` or `host:port`: where a caller dials. */
  readonly address: string;
  /** The socket file, when serving on a Unix socket. */
  readonly socketPath: string | undefined;
  /** Stops at once: connections closed, the socket file removed. */
  close(): void;
  /**
   * Stops taking calls, lets those in flight finish and their connections
   * close within `graceMs`, then closes. Resolves once closed.
   */
  drain(graceMs: number): Promise<void>;
}

/**
 * Starts serving.
 *
 * @throws the listen error: the address taken, a missing permission.
 */
export async function serve(options: ServeOptions): Promise<Serving> {
  const definition = await loadWorkerService();
  const frameLimit = options.maxMessageBytes + FRAME_OVERHEAD_BYTES;
  // Calls come only through the listener, once it listens.
  let authenticated: (connection: CallConnection) => void = () => {};
  const server = new grpc.Server({
    "grpc.max_receive_message_length": frameLimit,
    "grpc.max_send_message_length": frameLimit,
    "grpc.max_concurrent_streams": options.limits.maxConcurrentStreams,
    interceptors: [
      authInterceptor(
        options.authenticator,
        (connection) => authenticated(connection),
      ),
    ],
  });
  server.addService(definition, options.handlers);
  const injector = server.createConnectionInjector(
    grpc.ServerCredentials.createInsecure(),
  );
  const opened = await WorkerListener.listen(
    options.listen,
    (socket) => injector.injectConnection(socket),
    options.limits,
  );
  authenticated = (connection) => opened.authenticated(connection);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    void opened.close();
    server.forceShutdown();
  };
  return {
    address: opened.address,
    socketPath: opened.socketPath,
    close,
    drain(graceMs: number): Promise<void> {
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          close();
          resolve();
        }, graceMs);
        // Sessions close gracefully; the listener's close settles once
        // their connections ended, so the last answers are out.
        server.tryShutdown(() =>
          opened.close().then(() => {
            clearTimeout(force);
            closed = true;
            resolve();
          })
        );
      });
    },
  };
}
