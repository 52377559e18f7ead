/**
 * The floor server: a minimal grpc-js server of the `wool.bench.Floor`
 * service (see `service.ts`), run in its own Deno process as a worker is.
 *
 * Prints `ready <port>` once it serves on 127.0.0.1, and exits when its
 * stdin closes, so it never outlives the benchmark.
 *
 *     deno run -A bench/floor/server.ts
 *
 * @module
 */
import * as grpc from "npm:@grpc/grpc-js@1.14.7";
import type { Buffer } from "node:buffer";
import { ACK_MESSAGE, FLOOR_SERVICE, RESULT_MESSAGE } from "./service.ts";

const server = new grpc.Server();
server.addService(FLOOR_SERVICE, {
  Task(call: grpc.ServerDuplexStream<Buffer, Buffer>) {
    call.on("data", () => {
      call.write(ACK_MESSAGE);
      call.write(RESULT_MESSAGE);
      call.end();
    });
    call.on("error", () => {});
  },
  Echo(call: grpc.ServerDuplexStream<Buffer, Buffer>) {
    call.on("data", (message: Buffer) => call.write(message));
    call.on("end", () => call.end());
    call.on("error", () => {});
  },
  Session(call: grpc.ServerDuplexStream<Buffer, Buffer>) {
    call.on("data", () => {
      call.write(ACK_MESSAGE);
      call.write(RESULT_MESSAGE);
    });
    call.on("end", () => call.end());
    call.on("error", () => {});
  },
});
const port = await new Promise<number>((resolve, reject) => {
  server.bindAsync(
    "127.0.0.1:0",
    grpc.ServerCredentials.createInsecure(),
    (error, bound) => error ? reject(error) : resolve(bound),
  );
});
await Deno.stdout.write(new TextEncoder().encode(`ready ${port}\n`));
for await (const _ of Deno.stdin.readable) {
  // Only the close matters.
}
server.forceShutdown();
Deno.exit(0);
