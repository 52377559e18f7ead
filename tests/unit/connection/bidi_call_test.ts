/**
 * `openBidiCall` against a real grpc-js server on loopback: an echo
 * service whose handler the test chooses per call.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { grpc } from "../../../src/wire/grpc.ts";
import {
  type BidiListener,
  openBidiCall,
} from "../../../src/connection/bidi_call.ts";
import { bindLoopback } from "../../_helpers/loopback_server.ts";

type Handler = (call: grpc.ServerDuplexStream<Buffer, Buffer>) => void;

const PATH = "/test.Echo/Chat";
/** Strings as UTF-8; the request "unserializable" fails to serialize. */
const METHOD: grpc.MethodDefinition<string, string> = {
  path: PATH,
  requestStream: true,
  responseStream: true,
  requestSerialize: (text: string) => {
    if (text === "unserializable") throw new Error("no bytes for that");
    return Buffer.from(text);
  },
  requestDeserialize: (bytes: Buffer) => bytes.toString(),
  responseSerialize: (text: string) => Buffer.from(text),
  responseDeserialize: (bytes: Buffer) => {
    if (bytes.toString() === "garbled") throw new Error("cannot read that");
    return bytes.toString();
  },
};

/** A server whose one method runs `handler`, and a client to it. */
async function serve(handler: Handler) {
  const server = new grpc.Server();
  server.addService({
    Chat: {
      ...METHOD,
      requestDeserialize: (bytes: Buffer) => bytes,
      responseSerialize: (bytes: Buffer) => bytes,
      originalName: "Chat",
    },
  } as unknown as grpc.ServiceDefinition, { Chat: handler });
  const address = await bindLoopback(server);
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return {
    client,
    async [Symbol.asyncDispose]() {
      client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}

/** Records what a call reports, and resolves with it at its status. */
function recorder() {
  const seen: string[] = [];
  let headers: grpc.Metadata | undefined;
  let statuses = 0;
  const { promise, resolve } = Promise.withResolvers<grpc.StatusObject>();
  const first = Promise.withResolvers<void>();
  const listener: BidiListener<string> = {
    onMetadata: (metadata) => headers = metadata,
    onMessage: (message) => {
      seen.push(message);
      first.resolve();
    },
    onStatus: (status) => {
      statuses++;
      resolve(status);
    },
  };
  return {
    listener,
    seen,
    status: promise,
    firstMessage: first.promise,
    headers: () => headers,
    statuses: () => statuses,
  };
}

/** Opens the test method on `client`, recording what the call reports. */
function open(client: grpc.Client, metadata = new grpc.Metadata()) {
  const record = recorder();
  const call = openBidiCall(client, METHOD, metadata, record.listener);
  return { call, record };
}

Deno.test("openBidiCall() sends the metadata and every request written in one turn, in order, and reports headers, every response in order, then the status", async () => {
  await using echo = await serve((call) => {
    call.sendMetadata(new grpc.Metadata());
    call.on("data", (bytes: Buffer) => {
      const text = bytes.toString();
      if (text === "bye") {
        const trailers = new grpc.Metadata();
        trailers.set("who", call.metadata.get("who")[0] as string);
        call.end(trailers);
      } else call.write(Buffer.from(text.toUpperCase()));
    });
  });
  const metadata = new grpc.Metadata();
  metadata.set("who", "the caller");
  const { call, record } = open(echo.client, metadata);
  for (const text of ["one", "two", "three", "bye"]) call.write(text);
  const status = await record.status;
  assert.equal(status.code, grpc.status.OK);
  assert.deepEqual(status.metadata.get("who"), ["the caller"]);
  assert.deepEqual(record.seen, ["ONE", "TWO", "THREE"]);
  assert.ok(record.headers(), "the headers were reported");
  assert.equal(record.statuses(), 1);
});

Deno.test("openBidiCall() reports a failing status with its code, details and trailers, and builds no error", async () => {
  await using echo = await serve((call) => {
    call.on("data", () => {
      const trailers = new grpc.Metadata();
      trailers.set("wool-rejected", "backpressure");
      call.emit("error", {
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: "full",
        metadata: trailers,
      });
    });
  });
  const { call, record } = open(echo.client);
  call.write("a task");
  const status = await record.status;
  assert.equal(status.code, grpc.status.RESOURCE_EXHAUSTED);
  assert.equal(status.details, "full");
  assert.deepEqual(status.metadata.get("wool-rejected"), ["backpressure"]);
  call.write("after the end");
  assert.equal(record.statuses(), 1);
});

Deno.test("openBidiCall() ends a call whose response does not parse with INTERNAL naming the failure, and delivers nothing after it", async () => {
  await using echo = await serve((call) => {
    call.on("data", () => {
      call.write(Buffer.from("fine"));
      call.write(Buffer.from("garbled"));
      call.write(Buffer.from("late"));
    });
  });
  const { call, record } = open(echo.client);
  call.write("go");
  const status = await record.status;
  assert.equal(status.code, grpc.status.INTERNAL);
  assert.match(
    status.details,
    /^Response message parsing error: cannot read that/,
  );
  assert.deepEqual(record.seen, ["fine"]);
});

Deno.test("openBidiCall() ends a call whose request does not serialize with INTERNAL naming the failure", async () => {
  const received: string[] = [];
  await using echo = await serve((call) => {
    call.on("data", (bytes: Buffer) => received.push(bytes.toString()));
  });
  const { call, record } = open(echo.client);
  call.write("unserializable");
  const status = await record.status;
  assert.equal(status.code, grpc.status.INTERNAL);
  assert.match(
    status.details,
    /^Request message serialization failure: no bytes for that/,
  );
  assert.deepEqual(received, []);
});

Deno.test("openBidiCall() cancel() ends the call CANCELLED on both sides", async () => {
  const { promise: serverSaw, resolve } = Promise.withResolvers<string>();
  await using echo = await serve((call) => {
    call.on("data", (bytes: Buffer) => call.write(bytes));
    call.on("cancelled", () => resolve("cancelled"));
  });
  const { call, record } = open(echo.client);
  call.write("ping");
  await record.firstMessage;
  call.cancel();
  const status = await record.status;
  assert.equal(status.code, grpc.status.CANCELLED);
  assert.equal(status.details, "Cancelled on client");
  assert.equal(await serverSaw, "cancelled");
});
