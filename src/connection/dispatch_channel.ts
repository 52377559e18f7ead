/**
 * The `Dispatch` transport: one gRPC bidi stream per task. The stream's
 * status is the task's end.
 *
 * @module
 */
import type * as grpc from "npm:@grpc/grpc-js@1.14.7";
import type {
  RequestFrame,
  ResponseFrame,
  StatusFrame,
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
  const call = client.makeBidiStreamRequest(
    method.path,
    method.requestSerialize,
    method.responseDeserialize,
  );
  call.on("data", (frame: ResponseFrame) => events.pushFrame(frame));
  call.on("status", (status: grpc.StatusObject) => {
    events.pushEnd(toStatusFrame(status));
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
      if (events.ended) return;
      events.pushEnd(CANCELLED_STATUS);
      call.cancel();
    },
  };
}

function toStatusFrame(status: grpc.StatusObject): StatusFrame {
  const metadata: Record<string, string> = {};
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
