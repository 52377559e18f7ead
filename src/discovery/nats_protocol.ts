/**
 * How workers announce themselves through NATS, and how pools read it: the
 * one description both sides use (the pool's `natsDiscovery` and the
 * worker's `NatsAnnouncer`). Core NATS only, no JetStream.
 *
 * Subjects, under a base subject `S` (default `wool.workers`):
 *
 * | subject        | sent by  | payload                | meaning                                   |
 * | -------------- | -------- | ---------------------- | ----------------------------------------- |
 * | `S.announce`   | worker   | {@linkcode Announcement} | "I serve here" — again every renewal period |
 * | `S.leave`      | worker   | {@linkcode Leave}        | "I am leaving" (a clean drain), at once    |
 * | `S.rollcall`   | pool     | empty, with a reply subject | "who is there?" — each worker answers with its announcement, to the reply subject |
 *
 * An announcement is valid for `ttlMs` after it arrives (a worker sends
 * 2.5 renewal periods): a worker that stops renewing leaves every pool
 * within 3 renewal periods. Payloads are UTF-8 JSON objects with `"v": 1`;
 * a pool ignores (and reports) anything else.
 *
 * @module
 */
import { parseHostPort } from "../_util/host_port.ts";
import type { DiscoveredWorker } from "./discovery.ts";

/** The base subject when none is given. */
export const DEFAULT_NATS_SUBJECT = "wool.workers";

/** The protocol version every payload carries. */
export const NATS_PROTOCOL_VERSION = 1;

/** How many renewal periods an announcement stays valid. */
export const TTL_RENEWAL_PERIODS = 2.5;

/** A worker's announcement (and its answer to a roll call). */
export interface Announcement {
  readonly v: typeof NATS_PROTOCOL_VERSION;
  /** The worker's id, unique among the workers of the subject. */
  readonly key: string;
  /** Where it serves: `host:port`. */
  readonly address: string;
  readonly tags: readonly string[];
  readonly capacity?: number;
  /** How long after arrival the announcement stays valid, in milliseconds. */
  readonly ttlMs: number;
}

/** A worker's clean leave. */
export interface Leave {
  readonly v: typeof NATS_PROTOCOL_VERSION;
  readonly key: string;
}

/** The three subjects under a base subject. */
export interface NatsSubjects {
  readonly announce: string;
  readonly leave: string;
  readonly rollCall: string;
}

/** The subjects under `base`. */
export function natsSubjects(base: string): NatsSubjects {
  return {
    announce: `${base}.announce`,
    leave: `${base}.leave`,
    rollCall: `${base}.rollcall`,
  };
}

/** One token of a NATS subject: no whitespace, dots or wildcards. */
const SUBJECT_TOKEN = /^[^\s.*>]+$/;

/** True when `subject` is a literal NATS subject (dot-separated tokens). */
export function isNatsSubject(subject: string): boolean {
  return subject.length > 0 && subject.length <= 200 &&
    subject.split(".").every((token) => SUBJECT_TOKEN.test(token));
}

/** Most tags, and longest tag and key, an announcement may carry. */
const MAX_TAGS = 64;
const MAX_TEXT = 256;

/** The outcome of decoding a payload: the message, or why not. */
export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

/** Encodes an announcement as the bytes to publish. */
export function encodeMessage(message: Announcement | Leave): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(message));
}

/** Decodes and checks an announcement. */
export function decodeAnnouncement(bytes: Uint8Array): Decoded<Announcement> {
  const object = decodeObject(bytes);
  if (!object.ok) return object;
  const { key, address, tags = [], capacity, ttlMs } = object.value;
  if (!isText(key)) return invalid("its key is not a non-empty string");
  if (typeof address !== "string" || !parseHostPort(address).ok) {
    return invalid(`its address ${JSON.stringify(address)} is not a host:port`);
  }
  if (
    !Array.isArray(tags) || tags.length > MAX_TAGS || !tags.every(isText)
  ) return invalid("its tags are not a list of non-empty strings");
  if (
    capacity !== undefined && (!Number.isSafeInteger(capacity) ||
      (capacity as number) < 1)
  ) return invalid("its capacity is not an integer ≥ 1");
  if (
    !Number.isSafeInteger(ttlMs) || (ttlMs as number) < 1 ||
    (ttlMs as number) > 2 ** 31 - 1
  ) return invalid("its ttlMs is not a positive integer");
  return {
    ok: true,
    value: {
      v: NATS_PROTOCOL_VERSION,
      key: key as string,
      address,
      tags: tags as string[],
      ...(capacity === undefined ? {} : { capacity: capacity as number }),
      ttlMs: ttlMs as number,
    },
  };
}

/** Decodes and checks a leave. */
export function decodeLeave(bytes: Uint8Array): Decoded<Leave> {
  const object = decodeObject(bytes);
  if (!object.ok) return object;
  const { key } = object.value;
  if (!isText(key)) return invalid("its key is not a non-empty string");
  return { ok: true, value: { v: NATS_PROTOCOL_VERSION, key: key as string } };
}

/** The discovered worker an announcement describes. */
export function workerOfAnnouncement(
  announcement: Announcement,
): DiscoveredWorker {
  return Object.freeze({
    key: announcement.key,
    address: announcement.address,
    tags: Object.freeze([...announcement.tags]),
    ...(announcement.capacity === undefined
      ? {}
      : { capacity: announcement.capacity }),
  });
}

function decodeObject(
  bytes: Uint8Array,
): Decoded<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return invalid("it is not UTF-8 JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return invalid("it is not a JSON object");
  }
  const object = value as Record<string, unknown>;
  if (object.v !== NATS_PROTOCOL_VERSION) {
    return invalid(
      `its protocol version ${
        JSON.stringify(object.v)
      } is not ${NATS_PROTOCOL_VERSION}`,
    );
  }
  return { ok: true, value: object };
}

function isText(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 &&
    value.length <= MAX_TEXT;
}

function invalid(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/**
 * Checks a NATS server URL as `connect()` takes it: `nats://host:port`,
 * `tls://host:port`, or a bare `host:port` (port optional, 4222 by
 * default). Returns the reason it is not one, or `undefined`.
 */
export function checkNatsServer(server: string): string | undefined {
  const text = server.includes("://") ? server : `nats://${server}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "it is not a URL";
  }
  if (url.protocol !== "nats:" && url.protocol !== "tls:") {
    return `its scheme ${url.protocol} is not nats: or tls:`;
  }
  if (url.hostname === "") return "it names no host";
  if ((url.pathname !== "" && url.pathname !== "/") || url.search || url.hash) {
    return "it has a path, query or fragment";
  }
  return undefined;
}
