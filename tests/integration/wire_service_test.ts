import assert from "node:assert/strict";
import * as grpc from "npm:@grpc/grpc-js@1.14.7";
import {
  type SessionRequests,
  type SessionResponses,
  WORKER_SERVICE,
} from "../../src/wire/wool_pb.ts";
import { loadProtoLoaderService } from "../../tools/wire_codegen/proto_loader_service.ts";
import { bindLoopback } from "../_helpers/loopback_server.ts";

/**
 * A Session server answering each task frame with a Result carrying the
 * task's arguments, under the given stream id, on a loopback port.
 */
async function startEchoServer(
  service: grpc.ServiceDefinition,
): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server();
  server.addService(service, {
    Session(call: grpc.ServerDuplexStream<SessionRequests, SessionResponses>) {
      call.on("data", (message: SessionRequests) => {
        call.write({
          frames: message.frames.map((frame) => ({
            stream: frame.stream,
            frame: "response" as const,
            response: {
              frame: "result" as const,
              result: {
                value: frame.frame === "request" &&
                    frame.request.frame === "task"
                  ? frame.request.task.args
                  : new Uint8Array(),
              },
            },
          })),
        });
      });
      call.on("end", () => call.end());
    },
  });
  return { server, address: await bindLoopback(server) };
}

/** One Session exchange of two tasks; resolves with the responses. */
function exchange(
  client: grpc.Client,
  service: grpc.ServiceDefinition,
): Promise<SessionResponses> {
  const method = service.Session;
  return new Promise((resolve, reject) => {
    const call = client.makeBidiStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
    );
    call.on("data", (message: SessionResponses) => {
      resolve(message);
      call.end();
    });
    call.on("error", reject);
    call.write({
      frames: [1, 2].map((stream) => ({
        stream,
        frame: "request",
        request: {
          frame: "task",
          task: {
            protocolVersion: 1,
            id: `t${stream}`,
            module: "file:///tasks.ts",
            export: "add",
            args: Uint8Array.of(stream, 7),
          },
        },
      })),
    });
  });
}

for (
  const [server, client] of [
    ["generated", "proto-loader"],
    ["proto-loader", "generated"],
    ["generated", "generated"],
  ] as const
) {
  Deno.test(`WORKER_SERVICE: a ${client} client and a ${server} server exchange Session frames over grpc-js`, async () => {
    const loaded = await loadProtoLoaderService();
    const pick = (which: string) =>
      which === "generated" ? WORKER_SERVICE : loaded;
    const { server: grpcServer, address } = await startEchoServer(pick(server));
    const grpcClient = new grpc.Client(
      address,
      grpc.credentials.createInsecure(),
    );
    try {
      const reply = await exchange(grpcClient, pick(client));
      assert.deepEqual(
        reply.frames.map((f) => [
          Number(f.stream),
          f.frame === "response" && f.response.frame === "result"
            ? [...f.response.result.value]
            : null,
        ]),
        [[1, [1, 7]], [2, [2, 7]]],
      );
    } finally {
      grpcClient.close();
      await new Promise<void>((resolve) =>
        grpcServer.tryShutdown(() => resolve())
      );
    }
  });
}
