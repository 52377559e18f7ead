/**
 * Checks the options of `NatsAnnouncer.start()` and resolves their
 * defaults, naming the option in every error.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";
import { parseHostPort } from "../_util/host_port.ts";
import type { DiscoveryError } from "../discovery/errors.ts";
import { checkOptionsObject, durationOption } from "../discovery/_options.ts";
import {
  checkNatsServer,
  DEFAULT_NATS_SUBJECT,
  isNatsSubject,
} from "../discovery/nats_protocol.ts";

/** What a worker announces about itself. */
export interface AnnouncedWorker {
  /** Its id, unique among the workers of the subject. */
  readonly key: string;
  /** Where pools reach it: `host:port` (its `--advertise` address). */
  readonly address: string;
  /** Its `--tag`s. */
  readonly tags?: readonly string[];
  /** How many tasks it runs at once, when it has a limit. */
  readonly capacity?: number;
}

/** Options of `NatsAnnouncer.start()`. */
export interface NatsAnnouncerOptions {
  /** The NATS server(s), as `--nats` gives them. */
  servers: string | readonly string[];
  /**
   * The base subject pools follow.
   *
   * @default {"wool.workers"}
   */
  subject?: string;
  /** The worker to announce. */
  worker: AnnouncedWorker;
  /**
   * Time between two announcements, in milliseconds; an announcement stays
   * valid 2.5 of them.
   *
   * @default {5000}
   */
  renewMs?: number;
  /**
   * Time between two attempts to reach the servers, in milliseconds.
   *
   * @default {1000}
   */
  reconnectWaitMs?: number;
  /** Told of each failure to reach NATS; the announcer keeps trying. */
  onError?: (error: DiscoveryError) => void;
}

/** The options of an announcer, checked, with defaults filled in. */
export interface ResolvedAnnouncerOptions {
  readonly servers: readonly string[];
  readonly subject: string;
  readonly worker: AnnouncedWorker;
  readonly renewMs: number;
  readonly reconnectWaitMs: number;
  readonly onError?: (error: DiscoveryError) => void;
}

const WHERE = "Cannot start NATS announcer";

/** Checks `options` and fills in the defaults. */
export function resolveAnnouncerOptions(
  options: NatsAnnouncerOptions,
): ResolvedAnnouncerOptions {
  checkOptionsObject(WHERE, options);
  const { servers, subject = DEFAULT_NATS_SUBJECT, worker, onError } = options;
  const list = typeof servers === "string" ? [servers] : servers;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(
      `${WHERE}: "servers" must be a server URL or a non-empty list of them, received ${
        describeValue(servers)
      }`,
    );
  }
  for (const server of list) {
    const problem = typeof server === "string"
      ? checkNatsServer(server)
      : "it is not a string";
    if (problem !== undefined) {
      throw new TypeError(
        `${WHERE}: "servers" entry ${
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
  if (onError !== undefined && typeof onError !== "function") {
    throw new TypeError(
      `${WHERE}: "onError" must be a function, received ${
        describeValue(onError)
      }`,
    );
  }
  return {
    servers: [...list],
    subject,
    worker: resolveWorker(worker),
    renewMs: durationOption(WHERE, "renewMs", options.renewMs, 5000),
    reconnectWaitMs: durationOption(
      WHERE,
      "reconnectWaitMs",
      options.reconnectWaitMs,
      1000,
    ),
    ...(onError === undefined ? {} : { onError }),
  };
}

function resolveWorker(worker: AnnouncedWorker): AnnouncedWorker {
  checkOptionsObject(`${WHERE}: "worker"`, worker);
  const { key, address, tags = [], capacity } = worker;
  if (typeof key !== "string" || key.length === 0 || key.length > 256) {
    throw new TypeError(
      `${WHERE}: "worker.key" must be a string of 1 to 256 characters, received ${
        describeValue(key)
      }`,
    );
  }
  const parsed = typeof address === "string"
    ? parseHostPort(address)
    : undefined;
  if (parsed === undefined || !parsed.ok) {
    throw new TypeError(
      `${WHERE}: "worker.address" must be a "host:port" with a port from 1 to 65535, received ${
        describeValue(address)
      }`,
    );
  }
  if (
    !Array.isArray(tags) ||
    !tags.every((tag) =>
      typeof tag === "string" && tag.length > 0 && tag.length <= 256
    )
  ) {
    throw new TypeError(
      `${WHERE}: "worker.tags" must be a list of non-empty strings, received ${
        describeValue(tags)
      }`,
    );
  }
  if (
    capacity !== undefined &&
    (typeof capacity !== "number" || !Number.isSafeInteger(capacity) ||
      capacity < 1)
  ) {
    throw new RangeError(
      `${WHERE}: "worker.capacity" must be an integer ≥ 1, received ${
        describeValue(capacity)
      }`,
    );
  }
  return Object.freeze({
    key,
    address,
    tags: Object.freeze([...tags]),
    ...(capacity === undefined ? {} : { capacity }),
  });
}
