import assert from "node:assert/strict";
import { createConnection, type Socket } from "node:net";
import { setImmediate } from "node:timers";
import { NodeTransport } from "npm:@nats-io/transport-node@3.4.0/lib/node_transport.js";
import { GuardedTransport } from "../../../src/discovery/_nats.ts";

/** One turn of the event loop: what the socket emits by then has been emitted. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A socket to a loopback listener, with its writable side ended. */
async function endedSocket(
  listener: Deno.TcpListener,
): Promise<{ socket: Socket; errors: unknown[] }> {
  const socket = createConnection(listener.addr.port, "127.0.0.1");
  const errors: unknown[] = [];
  socket.on("error", (error) => errors.push(error));
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  const ended = new Promise<void>((resolve) => socket.end(resolve));
  await ended;
  return { socket, errors };
}

Deno.test("GuardedTransport drops a write to a socket whose writable side ended; the stock transport's write fails there", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) accepted.push(conn);
  })().catch(() => {});
  const frame = new TextEncoder().encode("CONNECT {}\r\n");
  try {
    const stock = new NodeTransport();
    stock.options = {};
    const plain = await endedSocket(listener);
    stock.socket = plain.socket;
    await assert.rejects(stock._send(frame), /write after end/);
    // The socket emits it too: with no listener left (the transport
    // removes them all on some paths), that is an uncaught exception.
    await nextTurn();
    assert.match(String(plain.errors[0]), /write after end/);
    plain.socket.destroy();

    const guarded = new GuardedTransport();
    guarded.options = {};
    const safe = await endedSocket(listener);
    guarded.socket = safe.socket;
    await guarded._send(frame);
    await nextTurn();
    assert.deepEqual(safe.errors, []);
    safe.socket.destroy();
  } finally {
    listener.close();
    await accepting;
    for (const conn of accepted) conn.close();
  }
});
