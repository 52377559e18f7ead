/**
 * The `Dispatch` transport: one gRPC bidi stream per task. The stream's
 * status is the task's end.
 *
 * @module
 */
import { grpc } from "../wire/grpc.ts";
import { setImmediate } from "node:timers";
import type { RequestFrame, ResponseFrame, TaskFrame } from "../wire/frames.ts";
import {
  CANCELLED_STATUS,
  fromGrpcStatus,
  markDeliveryUnknown,
} from "../wire/status.ts";
import { openBidiCall } from "./bidi_call.ts";
import {
  type CallRelay,
  type ChannelEvent,
  ChannelEvents,
  type TaskChannel,
} from "./task_channel.ts";

/**
 * Ends a stream still open as its connection closing does: `CANCELLED`,
 * marked delivery unknown when its Task frame may have reached the worker.
 */
export type DropStream = () => void;

/**
 * Opens a task channel as a new `Dispatch` stream on `client`, sending
 * `metadata` (the caller's credential) with it. While it is open, `open`
 * holds the way to drop it: closing a client does not end the streams on
 * it, and a worker that stopped answering would hold them forever.
 */
export function openDispatchChannel(
  client: grpc.Client,
  method: grpc.MethodDefinition<RequestFrame, ResponseFrame>,
  metadata: grpc.Metadata,
  open?: Set<DropStream>,
): TaskChannel {
  const events = new ChannelEvents();
  const connected = client.getChannel().getConnectivityState(false) ===
    grpc.connectivityState.READY;
  // Sent over a connection that was up: a failure grpc-js made up (the
  // connection broke) may have come after the worker took the task.
  const drop = () => {
    events.pushEnd(
      connected ? markDeliveryUnknown(CANCELLED_STATUS) : CANCELLED_STATUS,
    );
    call.cancel();
  };
  const call = openBidiCall(client, method, metadata, {
    onMessage: (frame) => events.pushFrame(frame),
    onStatus: (status) => {
      open?.delete(drop);
      events.pushEnd(fromGrpcStatus(status, connected));
    },
  });
  open?.add(drop);
  const channel: TaskChannel = {
    send(frame: RequestFrame): void {
      if (!events.ended) call.write(frame);
    },
    receive(): Promise<ChannelEvent> {
      return events.next();
    },
    relayCalls(relay: CallRelay, parent: TaskFrame): void {
      events.relayCalls(relay, parent, channel);
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
  return channel;
}
