/**
 * The `Dispatch` transport: one gRPC bidi stream per task. The stream's
 * status is the task's end.
 *
 * @module
 */
import { grpc } from "../wire/grpc.ts";
import { setImmediate } from "node:timers";
import {
  DELIVERY_UNKNOWN_METADATA_KEY,
  type RequestFrame,
  type ResponseFrame,
  type StatusFrame,
} from "../wire/frames.ts";
import {
  CANCELLED_STATUS,
  type ChannelEvent,
  ChannelEvents,
  type TaskChannel,
} from "./task_channel.ts";

/** Opens a task channel as a new `Dispatch` stream on `client`. */
export function openDispatchChannel(
  client: grpc.Client,
  method: grpc.MethodDefinition<RequestFrame, ResponseFrame>,
): TaskChannel {
  const events = new ChannelEvents();
  const connected = client.getChannel().getConnectivityState(false) ===
    grpc.connectivityState.READY;
  const call = client.makeBidiStreamRequest(
    method.path,
    method.requestSerialize,
    method.responseDeserialize,
  );
  call.on("data", (frame: ResponseFrame) => events.pushFrame(frame));
  call.on("status", (status: grpc.StatusObject) => {
    events.pushEnd(toStatusFrame(status, connected));
  });
  call.on("error", () => {
    // The status event carries the same failure.
  });
  return {
    send(frame: RequestFrame): void {
      if (!events.ended) call.write(frame);
    },
    receive(): Promise<ChannelEvent> {
      return events.next();
    },
    cancel(): void {
      if (events.ended || events.finished) return;
      events.pushEnd(CANCELLED_STATUS);
      // grpc-js on Deno's node:http2 drops a cancel issued in the same turn
      // as the stream's first write: the worker would run the task on, its
      // signal never aborted. One turn later the reset reaches it.
      setImmediate(() => call.cancel());
    },
  };
}

/**
 * The task's end status. A status with no metadata at all was made up by
 * grpc-js (the worker sends none without some): when the connection was
 * up as the task was sent, the worker may have run it.
 */
function toStatusFrame(
  status: grpc.StatusObject,
  connected: boolean,
): StatusFrame {
  const metadata: Record<string, string> = {};
  if (
    connected && status.code !== grpc.status.OK &&
    Object.keys(status.metadata.getMap()).length === 0
  ) {
    metadata[DELIVERY_UNKNOWN_METADATA_KEY] = "1";
  }
  for (const [key, value] of Object.entries(status.metadata.getMap())) {
    if (typeof value !== "string") continue;
    try {
      metadata[key] = decodeURIComponent(value);
    } catch {
      metadata[key] = value;
    }
  }
  return { code: status.code, details: status.details, metadata };
}
