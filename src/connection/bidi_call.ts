/**
 * A bidi-streaming gRPC call on grpc-js's `Channel#createCall`, the call
 * `Client#makeBidiStreamRequest` wraps — without the wrapper. The wrapper
 * is a Node `Duplex` (a turn of stream machinery per message), and for
 * every call that ends with a status other than OK it builds an `Error`
 * carrying two formatted stack traces, which a caller that reads the status
 * never looks at: ~280 µs of the ~890 µs a rejected call took under the
 * profiler on the `Dispatch` transport, where every rejection is such a
 * status.
 *
 * What the wrapper did besides, this does too: requests are serialized and
 * responses deserialized with the method's own functions, and a failure of
 * either cancels the call with `INTERNAL` naming it, as grpc-js's own
 * bottom intercepting call does; and requests go to grpc-js one at a time,
 * each once the last was taken, as its `Writable` sent them.
 *
 * @module
 */
import { grpc } from "../wire/grpc.ts";

/** What a {@linkcode BidiCall} reports, in order: metadata, messages, status. */
export interface BidiListener<Res> {
  /** The worker's response headers. */
  onMetadata?(metadata: grpc.Metadata): void;
  /** One response message, deserialized. */
  onMessage(message: Res): void;
  /** The call's end; called once, and nothing after it. */
  onStatus(status: grpc.StatusObject): void;
}

/** The sending side of an open call. */
export interface BidiCall<Req> {
  /** Serializes and sends one request message (none once the call ended). */
  write(message: Req): void;
  /** Cancels the call (`CANCELLED`, "Cancelled on client"). */
  cancel(): void;
}

/**
 * Starts a bidi-streaming call of `method` on `client`'s channel, sending
 * `metadata` (the caller's credential) with it, and reading until it ends.
 */
export function openBidiCall<Req, Res>(
  client: grpc.Client,
  method: grpc.MethodDefinition<Req, Res>,
  metadata: grpc.Metadata,
  listener: BidiListener<Res>,
): BidiCall<Req> {
  const call = client.getChannel().createCall(
    method.path,
    Infinity,
    undefined,
    null,
    undefined,
  );
  // A response that failed to parse ends the call with this status, not
  // the CANCELLED its cancellation brings back.
  let parseFailure: grpc.StatusObject | undefined;
  let ended = false;
  call.start(metadata, {
    onReceiveMetadata: (headers) => listener.onMetadata?.(headers),
    onReceiveMessage: (bytes: Buffer) => {
      if (ended || parseFailure) return;
      let message: Res;
      try {
        message = method.responseDeserialize(bytes);
      } catch (error) {
        parseFailure = {
          code: grpc.status.INTERNAL,
          details: `Response message parsing error: ${errorMessage(error)}`,
          metadata: new grpc.Metadata(),
        };
        call.cancelWithStatus(parseFailure.code, parseFailure.details);
        return;
      }
      listener.onMessage(message);
      call.startRead();
    },
    onReceiveStatus: (status) => {
      if (ended) return;
      ended = true;
      listener.onStatus(parseFailure ?? status);
    },
  });
  call.startRead();
  // grpc-js's call takes one message at a time — one sent before the last
  // one's callback can replace it while the call is still being routed —
  // so the rest wait here, as the wrapper's `Writable` buffer held them.
  const queue: Buffer[] = [];
  let sending = false;
  const sendNext = (): void => {
    const bytes = queue.shift();
    sending = bytes !== undefined && !ended;
    if (sending) call.sendMessageWithContext({ callback: sendNext }, bytes!);
  };
  return {
    write(message: Req): void {
      if (ended) return;
      let bytes: Buffer;
      try {
        bytes = method.requestSerialize(message);
      } catch (error) {
        call.cancelWithStatus(
          grpc.status.INTERNAL,
          `Request message serialization failure: ${errorMessage(error)}`,
        );
        return;
      }
      queue.push(bytes);
      if (!sending) sendNext();
    },
    cancel(): void {
      call.cancelWithStatus(grpc.status.CANCELLED, "Cancelled on client");
    },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
