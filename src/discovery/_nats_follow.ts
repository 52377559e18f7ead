/**
 * One NATS connection of a `natsDiscovery` subscription, from its roll call
 * until the subscription ends or the connection closes: announcements and
 * roll-call answers renew workers, leaves remove them, and the
 * connection's status pauses expiry while it is down and calls the roll
 * again when it is back.
 *
 * @module
 */
import type { DiscoveryEvent } from "./discovery.ts";
import { DiscoveryError } from "./errors.ts";
import { type Emit, pause, waitForAbort } from "./_event_stream.ts";
import type { ExpiryClock } from "./_expiry_clock.ts";
import type { Membership } from "./_membership.ts";
import { createInbox, type Msg, type NatsConnection } from "./_nats.ts";
import {
  decodeAnnouncement,
  decodeLeave,
  type NatsSubjects,
  workerOfAnnouncement,
} from "./nats_protocol.ts";

/** What a connection's follower reads and changes. */
export interface FollowContext {
  readonly connection: NatsConnection;
  readonly subjects: NatsSubjects;
  readonly rollCallMs: number;
  /** The discovery, as error messages name it. */
  readonly source: string;
  readonly members: Membership;
  readonly expiry: ExpiryClock;
  readonly emit: Emit<DiscoveryEvent>;
  /** Whether the subscription reported `synced` (once, across connections). */
  readonly state: { synced: boolean };
  /** Aborts when the subscription ends. */
  readonly signal: AbortSignal;
}

/**
 * Follows `context.connection` until `context.signal` aborts or the
 * connection closes for good; closes it either way.
 */
export async function followAnnouncements(
  context: FollowContext,
): Promise<void> {
  const { connection, subjects, signal, expiry } = context;
  const inbox = createInbox();
  const callRoll = () =>
    connection.publish(subjects.rollCall, undefined, { reply: inbox });
  const onAnnouncement = (error: Error | null, message: Msg) =>
    error === null
      ? announced(context, message)
      : report(context, `the subscription failed (${error.message})`, error);
  connection.subscribe(subjects.announce, { callback: onAnnouncement });
  connection.subscribe(inbox, { callback: onAnnouncement });
  connection.subscribe(subjects.leave, {
    callback: (error, message) =>
      error === null
        ? left(context, message)
        : report(context, `the subscription failed (${error.message})`, error),
  });
  const watching = watchStatus(context, callRoll);
  expiry.resume();
  callRoll();
  if (!context.state.synced && await pause(context.rollCallMs, signal)) {
    context.state.synced = true;
    context.emit({ type: "synced" });
  }
  const closed = connection.closed();
  await Promise.race([waitForAbort(signal), closed]);
  if (!signal.aborted) {
    expiry.suspend();
    const error = await closed;
    report(
      context,
      `the connection to NATS closed (${
        error?.message ?? "no reason given"
      }); reconnecting`,
      error,
    );
  }
  await connection.close();
  await watching;
}

async function watchStatus(
  context: FollowContext,
  callRoll: () => void,
): Promise<void> {
  for await (const status of context.connection.status()) {
    switch (status.type) {
      case "disconnect":
        context.expiry.suspend();
        report(
          context,
          `lost the connection to NATS at ${status.server}; keeping the last known workers while reconnecting`,
        );
        break;
      case "reconnect":
        context.expiry.resume();
        callRoll();
        break;
      case "error":
        report(context, `NATS reported ${status.error.message}`, status.error);
        break;
    }
  }
}

function announced(context: FollowContext, message: Msg): void {
  // A status message on the roll call's inbox: 503 "no responders" when
  // no worker listens, which says only that there is no one to add.
  if (message.headers?.hasError) return;
  const decoded = decodeAnnouncement(message.data);
  if (!decoded.ok) {
    report(
      context,
      `ignored an announcement on ${message.subject}: ${decoded.reason}`,
    );
    return;
  }
  const worker = workerOfAnnouncement(decoded.value);
  context.members.put(worker);
  context.expiry.renew(worker.key, decoded.value.ttlMs);
}

function left(context: FollowContext, message: Msg): void {
  const decoded = decodeLeave(message.data);
  if (!decoded.ok) {
    report(context, `ignored a leave on ${message.subject}: ${decoded.reason}`);
    return;
  }
  context.expiry.forget(decoded.value.key);
  context.members.remove(decoded.value.key, "left");
}

function report(
  context: FollowContext,
  problem: string,
  cause?: unknown,
): void {
  context.emit({
    type: "error",
    error: new DiscoveryError(
      context.source,
      problem,
      cause === undefined ? undefined : { cause },
    ),
  });
}
