import { describeValue } from "../_util/describe.ts";
import type { Discovery, DiscoveryEvent } from "./discovery.ts";
import { DiscoveryError } from "./errors.ts";
import { checkOptionsObject, durationOption } from "./_options.ts";
import { type Emit, openEventStream, pause } from "./_event_stream.ts";
import { ExpiryClock } from "./_expiry_clock.ts";
import { Membership } from "./_membership.ts";
import { connect, type NatsConnection } from "./_nats.ts";
import { followAnnouncements } from "./_nats_follow.ts";
import {
  checkNatsServer,
  DEFAULT_NATS_SUBJECT,
  isNatsSubject,
  natsSubjects,
} from "./nats_protocol.ts";

/** Options of {@linkcode natsDiscovery}. */
export interface NatsDiscoveryOptions {
  /** The NATS server(s): `nats://host:port`, `tls://host:port` or `host:port`. */
  servers: string | string[];
  /**
   * The base subject workers announce under (their `--nats-subject`).
   *
   * @default {"wool.workers"}
   */
  subject?: string;
  /**
   * How long a new subscription gathers the answers to its roll call
   * before it reports `synced`, in milliseconds.
   *
   * @default {250}
   */
  rollCallMs?: number;
  /**
   * Time between two attempts to reach the servers, in milliseconds.
   *
   * @default {1000}
   */
  reconnectWaitMs?: number;
}

/**
 * A discovery of the workers that announce themselves through NATS (a
 * standalone worker started with `--nats URL`): each is keyed by the id it
 * announces, with the address, tags and capacity it announces. A new
 * subscription asks the workers present for a roll call, so it learns them
 * at once rather than at their next renewal, and reports `synced` after
 * `rollCallMs`. Workers renew their announcement every renewal period; one
 * that stops (killed, partitioned) is `removed` (`"expired"`) within 3 of
 * its periods, one that drains cleanly is `removed` (`"left"`) at once.
 * See `nats_protocol.ts` for the subjects and messages.
 *
 * When the connection to NATS fails or drops, an `error` event says so,
 * the last known workers are kept (none expires while the discovery cannot
 * hear them), and the discovery keeps reconnecting; once back, it calls the
 * roll again and expiry resumes. A malformed message is reported as an
 * `error` event and otherwise ignored.
 *
 * @param options The servers and subject to follow.
 * @returns A {@linkcode Discovery} of the announced workers.
 * @throws {TypeError} when `servers` is not a server URL or a non-empty
 * list of them, or `subject` is not a literal NATS subject; the message
 * names the option.
 * @throws {RangeError} when `rollCallMs` or `reconnectWaitMs` is out of
 * range.
 *
 * @example Following the workers of a NATS cluster
 * ```ts
 * import { natsDiscovery } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const discovery = natsDiscovery({
 *   servers: ["nats://nats-0.nats:4222", "nats://nats-1.nats:4222"],
 *   subject: "wool.workers",
 * });
 * assert.equal(typeof discovery.subscribe, "function");
 * ```
 */
export function natsDiscovery(options: NatsDiscoveryOptions): Discovery {
  const resolved = resolveOptions(options);
  const source = `natsDiscovery(${JSON.stringify(resolved.subject)})`;
  return {
    subscribe(signal: AbortSignal): AsyncIterable<DiscoveryEvent> {
      return openEventStream<DiscoveryEvent>(signal, async (emit, stop) => {
        const members = new Membership(emit);
        using expiry = new ExpiryClock((key) => members.remove(key, "expired"));
        const state = { synced: false };
        while (!stop.aborted) {
          const connection = await connectOnce(resolved, source, emit);
          if (connection === undefined) {
            await pause(resolved.reconnectWaitMs, stop);
            continue;
          }
          await followAnnouncements({
            connection,
            subjects: natsSubjects(resolved.subject),
            rollCallMs: resolved.rollCallMs,
            source,
            members,
            expiry,
            emit,
            state,
            signal: stop,
          });
        }
      });
    },
  };
}

interface ResolvedNatsOptions {
  readonly servers: string[];
  readonly subject: string;
  readonly rollCallMs: number;
  readonly reconnectWaitMs: number;
}

async function connectOnce(
  options: ResolvedNatsOptions,
  source: string,
  emit: Emit<DiscoveryEvent>,
): Promise<NatsConnection | undefined> {
  try {
    return await connect({
      servers: options.servers,
      name: "wool-pool",
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectWaitMs,
      timeout: Math.max(options.reconnectWaitMs, 2000),
    });
  } catch (error) {
    emit({
      type: "error",
      error: new DiscoveryError(
        source,
        `cannot connect to NATS at ${options.servers.join(", ")} (${
          error instanceof Error ? error.message : String(error)
        }); retrying`,
        { cause: error },
      ),
    });
    return undefined;
  }
}

const WHERE = "Cannot create NATS discovery";

function resolveOptions(options: NatsDiscoveryOptions): ResolvedNatsOptions {
  checkOptionsObject(WHERE, options);
  const { servers, subject = DEFAULT_NATS_SUBJECT } = options;
  const list = typeof servers === "string" ? [servers] : servers;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(
      `${WHERE}: "servers" must be a server URL or a non-empty list of them, received ${
        describeValue(servers)
      }`,
    );
  }
  for (const [index, server] of list.entries()) {
    const problem = typeof server === "string"
      ? checkNatsServer(server)
      : `it is ${describeValue(server)}`;
    if (problem !== undefined) {
      throw new TypeError(
        `${WHERE}: "servers" entry ${index} ${
          describeValue(server)
        } is not a NATS server URL: ${problem}`,
      );
    }
  }
  if (typeof subject !== "string" || !isNatsSubject(subject)) {
    throw new TypeError(
      `${WHERE}: "subject" must be a NATS subject without wildcards, received ${
        describeValue(subject)
      }`,
    );
  }
  return {
    servers: [...list],
    subject,
    rollCallMs: durationOption(WHERE, "rollCallMs", options.rollCallMs, 250),
    reconnectWaitMs: durationOption(
      WHERE,
      "reconnectWaitMs",
      options.reconnectWaitMs,
      1000,
    ),
  };
}
