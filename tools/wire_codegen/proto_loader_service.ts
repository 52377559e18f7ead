/**
 * The `wool.v1.Worker` service definition as `@grpc/proto-loader` builds it
 * from the .proto text (over protobufjs), with the options the runtime used
 * before `src/wire/wool_pb.ts` was generated. Nothing at run time uses it:
 * it is the reference the generated `WORKER_SERVICE` is tested against
 * (method shapes, interop over grpc-js) and the baseline of
 * `bench/micro/wire_codec_bench.ts` and `bench/wire_startup.ts`.
 *
 * @module
 */
import { grpc } from "../../src/wire/grpc.ts";
import * as protoLoader from "npm:@grpc/proto-loader@0.8.1";
import protobuf from "npm:protobufjs@7.6.6";

/** `proto/wool.proto`. */
export const PROTO_FILE: URL = new URL(
  "../../proto/wool.proto",
  import.meta.url,
);

/**
 * The service definition proto-loader builds from `source`: camelCase
 * fields, oneofs named, no defaults filled in, 64-bit integers as numbers
 * (so ids above 2^53 lose precision, as they did).
 */
export function buildProtoLoaderService(
  source: string,
): grpc.ServiceDefinition {
  const { root } = protobuf.parse(source, { keepCase: false });
  const packageDefinition = protoLoader.fromJSON(root.toJSON(), {
    keepCase: false,
    longs: Number,
    defaults: false,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as {
    wool: { v1: { Worker: { service: grpc.ServiceDefinition } } };
  };
  return loaded.wool.v1.Worker.service;
}

/** Reads {@linkcode PROTO_FILE} and builds its service definition. */
export async function loadProtoLoaderService(): Promise<
  grpc.ServiceDefinition
> {
  return buildProtoLoaderService(await Deno.readTextFile(PROTO_FILE));
}
