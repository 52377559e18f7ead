/**
 * The `wool.v1.Worker` service definition that both the worker's server and
 * the caller's client use: the one generated from `proto/wool.proto` into
 * `wool_pb.ts` (`deno task gen`), whose serializers and deserializers are
 * the generated codecs.
 *
 * Nothing is read, fetched or parsed at run time, so a worker needs no
 * read grant for the .proto, a library loaded from a registry or compiled
 * into a binary starts offline, and neither `@grpc/proto-loader` nor
 * `protobufjs` is loaded (they generate and test `wool_pb.ts`).
 *
 * @module
 */
import type { grpc } from "./grpc.ts";
import { WORKER_SERVICE } from "./wool_pb.ts";

/**
 * The `wool.v1.Worker` service definition. It is a constant; the function
 * stays for its callers, which awaited it when it was read from the .proto.
 */
export function loadWorkerService(): grpc.ServiceDefinition {
  return WORKER_SERVICE as unknown as grpc.ServiceDefinition;
}
