/**
 * A grpc-js server of a test's own on a free port of 127.0.0.1, insecure.
 *
 * @module
 */
import { grpc } from "../../src/wire/grpc.ts";

/** Binds `server` to a free port on 127.0.0.1; resolves with `host:port`. */
export function bindLoopback(server: grpc.Server): Promise<string> {
  return new Promise((resolve, reject) =>
    server.bindAsync(
      "127.0.0.1:0",
      grpc.ServerCredentials.createInsecure(),
      (error, port) => error ? reject(error) : resolve(`127.0.0.1:${port}`),
    )
  );
}
