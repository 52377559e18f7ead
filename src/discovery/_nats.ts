/**
 * The NATS client, from the one module of `src/` that imports it (so its
 * version is pinned in one place): both the pool's NATS discovery and the
 * worker's announcer use it through these names.
 *
 * `connect` is the package's own, but with a transport that never writes
 * to a socket whose writable side has ended. The stock one does when the
 * server closes a connection just as its INFO arrives (a server stopping
 * or restarting): the client answers the INFO on the ended socket, and
 * under Deno the socket's "write after end" error surfaced as an uncaught
 * exception that ended the whole process (seen in
 * `tests/integration/nats_discovery_test.ts`, a server stopped and
 * restarted under a following discovery). Dropping the write is what the
 * transport does with write errors anyway: the client learns of the lost
 * connection from the socket closing, and reconnects.
 *
 * @module
 */
import {
  type ConnectionOptions,
  type NatsConnection,
  NatsConnectionImpl,
  setTransportFactory,
} from "npm:@nats-io/transport-node@3.4.0";
import {
  nodeResolveHost,
  NodeTransport,
} from "npm:@nats-io/transport-node@3.4.0/lib/node_transport.js";

export {
  createInbox,
  type Msg,
  type NatsConnection,
  type Status,
  type Subscription,
} from "npm:@nats-io/transport-node@3.4.0";

/** The Node transport, minus writes to a socket that can no longer take them. */
export class GuardedTransport extends NodeTransport {
  override _send(frame: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (socket !== undefined && !socket.writable) return Promise.resolve();
    return super._send(frame);
  }
}

/** Connects to NATS as the package's `connect` does, over a {@linkcode GuardedTransport}. */
export function connect(options: ConnectionOptions): Promise<NatsConnection> {
  setTransportFactory({
    factory: () => new GuardedTransport(),
    dnsResolveFn: nodeResolveHost,
  });
  return NatsConnectionImpl.connect(options);
}
