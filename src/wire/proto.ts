/**
 * Loads `proto/wool.proto` once and exposes the `wool.v1.Worker` service
 * definition that both the worker's server and the caller's client use.
 *
 * The file is read as text (from disk, or fetched when the module itself
 * was loaded from a remote URL) and parsed in memory, so the library works
 * from a local path, a registry, or a compiled binary alike.
 *
 * @module
 */
import { grpc } from "./grpc.ts";
import { PROTO_URL } from "./proto_url.ts";
import * as protoLoader from "npm:@grpc/proto-loader@0.8.1";
import protobuf from "npm:protobufjs@7.6.6";

let cached: Promise<grpc.ServiceDefinition> | undefined;

/** The `wool.v1.Worker` service definition, loaded on first use. */
export function loadWorkerService(): Promise<grpc.ServiceDefinition> {
  cached ??= readProto().then(buildService);
  return cached;
}

async function readProto(): Promise<string> {
  if (PROTO_URL.protocol === "file:") return await Deno.readTextFile(PROTO_URL);
  const response = await fetch(PROTO_URL);
  if (!response.ok) {
    throw new Error(
      `Cannot load ${PROTO_URL.href}: HTTP ${response.status}`,
    );
  }
  return await response.text();
}

function buildService(source: string): grpc.ServiceDefinition {
  const { root } = protobuf.parse(source, { keepCase: false });
  const packageDefinition = protoLoader.fromJSON(root.toJSON(), {
    keepCase: false,
    // uint64 stream ids as exact decimal strings (see StreamId).
    longs: String,
    defaults: false,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as {
    wool: { v1: { Worker: { service: grpc.ServiceDefinition } } };
  };
  return loaded.wool.v1.Worker.service;
}
