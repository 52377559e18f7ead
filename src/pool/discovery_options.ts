/**
 * The pool options about workers the pool did not spawn — `discovery`,
 * `credentials`, `tags`, `lease`, `quorum`, `quorumTimeoutMs` — and how
 * they change `spawn`: validated once, with messages naming the option.
 *
 * | `spawn`  | `discovery` | the pool is                                      |
 * | -------- | ----------- | ------------------------------------------------ |
 * | ≥ 1      | —           | ephemeral: spawned workers only (the default)    |
 * | 0 (default with discovery) | given | durable: discovered workers only |
 * | ≥ 1      | given       | hybrid: both                                     |
 * | 0        | —           | a `RangeError`: a pool needs some workers        |
 *
 * @module
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { describeErrorMessage, describeValue } from "../_util/describe.ts";
import type { Discovery } from "../discovery/discovery.ts";
import { durationOption, integerOption } from "./_option_checks.ts";

/**
 * What a pool presents to the workers its discovery finds. Spawned
 * workers never see it: they take the pool's own secret, on their stdin.
 *
 * @example A token, and mutual TLS when the files are there
 * ```ts
 * import type { PoolCredentials } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * async function readIfThere(path: string): Promise<string | undefined> {
 *   try {
 *     return await Deno.readTextFile(path);
 *   } catch {
 *     return undefined;
 *   }
 * }
 * const [ca, cert, key] = await Promise.all(
 *   ["ca.pem", "pool.pem", "pool.key"].map((name) => readIfThere(`/run/secrets/${name}`)),
 * );
 * const credentials: PoolCredentials = {
 *   token: (await readIfThere("/run/secrets/wool-token")) ?? "dev-token",
 *   ...(ca === undefined ? {} : { tls: { ca, cert, key } }),
 * };
 * assert.ok(credentials.token);
 * ```
 */
export interface PoolCredentials {
  /**
   * The secret every call presents (`authorization: Bearer <token>`): the
   * content of the workers' `--token-file`. Whitespace around it (a file's
   * last newline) is ignored.
   *
   * @default {undefined (no token: the workers must accept TLS client certificates, or run --insecure)}
   */
  token?: string;
  /**
   * Dial the workers over TLS, trusting the certificates `ca` (PEM) signed,
   * checked against the worker's host name or IP address (or the name its
   * discovery gives). `cert` and `key` (PEM), together, are the pool's own
   * certificate, for workers that require one (`--tls-ca`: mutual TLS).
   *
   * @default {undefined (plain TCP: the token travels in clear)}
   */
  tls?: { ca: string; cert?: string; key?: string };
}

/** {@linkcode PoolCredentials}, checked: the token trimmed. */
export interface ResolvedCredentials {
  readonly token: string | undefined;
  readonly tls:
    | { readonly ca: string; readonly cert?: string; readonly key?: string }
    | undefined;
}

/** The options this module validates (`WorkerPoolOptions` documents them). */
export type DiscoveryPoolOptions = Partial<
  Record<
    | "spawn"
    | "discovery"
    | "credentials"
    | "tags"
    | "lease"
    | "quorum"
    | "quorumTimeoutMs",
    unknown
  >
>;

/** What a pool does about workers it finds, with every default filled in. */
export interface ResolvedDiscoveryOptions {
  /** Workers to spawn: `hardwareConcurrency` without discovery, else 0. */
  readonly spawn: number;
  readonly discovery: Discovery | undefined;
  readonly credentials: ResolvedCredentials;
  /** Tags a discovered worker must all carry; empty: any worker. */
  readonly tags: readonly string[];
  /** Most discovered workers admitted at once. */
  readonly lease: number;
  /** Ready workers `start()` waits for, spawned ones included. */
  readonly quorum: number;
  readonly quorumTimeoutMs: number;
}

const WHERE = "Cannot start worker pool";
/** A tag as a worker's `--tag` takes it: 1–256 characters, no space or comma. */
const TAG = /^[^\s,]{1,256}$/;
/** What an HTTP/2 header value (the token travels in one) may hold. */
const TOKEN = /^[\x21-\x7e]+$/;

/**
 * Validates the options about discovered workers and resolves `spawn`.
 *
 * @throws {TypeError} when an option has the wrong type, or needs
 * `discovery` and there is none; the message names the option.
 * @throws {RangeError} when a number is out of range: `spawn: 0` without
 * `discovery`, a `quorum` the pool could never reach.
 */
export function validateDiscoveryOptions(
  options: DiscoveryPoolOptions,
): ResolvedDiscoveryOptions {
  const discovery = discoveryOption(options.discovery);
  for (const name of ["credentials", "tags", "lease"] as const) {
    if (discovery === undefined && options[name] !== undefined) {
      throw new TypeError(
        `${WHERE}: "${name}" applies to discovered workers, and there is no "discovery"`,
      );
    }
  }
  const spawn = discovery === undefined
    ? integerOption(
      "spawn",
      options.spawn,
      navigator.hardwareConcurrency || 1,
      1,
    )
    : integerOption("spawn", options.spawn, 0, 0);
  const lease = integerOption("lease", options.lease, Infinity, 1);
  if (options.quorumTimeoutMs !== undefined && options.quorum === undefined) {
    throw new TypeError(`${WHERE}: "quorumTimeoutMs" needs a "quorum"`);
  }
  const quorum = integerOption("quorum", options.quorum, spawn, 1);
  const reachable = spawn + (discovery === undefined ? 0 : lease);
  if (quorum > reachable) {
    throw new RangeError(
      `${WHERE}: "quorum" ${quorum} cannot be met: the pool admits at most ${reachable} workers (${
        discovery === undefined
          ? `"spawn" ${spawn}, and no "discovery"`
          : `"spawn" ${spawn} and "lease" ${lease}`
      })`,
    );
  }
  return {
    spawn,
    discovery,
    credentials: credentialsOption(options.credentials),
    tags: tagsOption(options.tags),
    lease,
    quorum,
    quorumTimeoutMs: durationOption(
      "quorumTimeoutMs",
      options.quorumTimeoutMs,
      60_000,
      false,
    ),
  };
}

function discoveryOption(value: unknown): Discovery | undefined {
  if (value === undefined) return undefined;
  if (
    value === null || typeof value !== "object" ||
    typeof (value as Discovery).subscribe !== "function"
  ) {
    throw new TypeError(
      `${WHERE}: "discovery" must be a Discovery (an object with a subscribe() method), received ${
        describeValue(value)
      }`,
    );
  }
  return value as Discovery;
}

function tagsOption(value: unknown): readonly string[] {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value)) {
    throw new TypeError(
      `${WHERE}: "tags" must be an array of strings, received ${
        describeValue(value)
      }`,
    );
  }
  value.forEach((tag: unknown, index) => {
    if (typeof tag !== "string" || !TAG.test(tag)) {
      throw new TypeError(
        `${WHERE}: "tags[${index}]" must be a tag as a worker's --tag takes it (1 to 256 characters, no space or comma), received ${
          describeValue(tag)
        }`,
      );
    }
  });
  return Object.freeze([...new Set(value as string[])]);
}

function credentialsOption(value: unknown): ResolvedCredentials {
  if (value === undefined) return { token: undefined, tls: undefined };
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(
      `${WHERE}: "credentials" must be an object ({ token?, tls? }), received ${
        describeValue(value)
      }`,
    );
  }
  const { token, tls } = value as PoolCredentials;
  return {
    token: tokenOption(token),
    tls: tls === undefined ? undefined : tlsOption(tls),
  };
}

function tokenOption(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const token = typeof value === "string" ? value.trim() : undefined;
  if (token === undefined || !TOKEN.test(token)) {
    throw new TypeError(
      `${WHERE}: "credentials.token" must be a non-empty string of printable ASCII characters without spaces, received ${
        typeof value === "string" ? "another string" : describeValue(value)
      }`,
    );
  }
  return token;
}

function tlsOption(value: unknown): NonNullable<ResolvedCredentials["tls"]> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(
      `${WHERE}: "credentials.tls" must be an object ({ ca, cert?, key? } as PEM text), received ${
        describeValue(value)
      }`,
    );
  }
  const { ca, cert, key } = value as NonNullable<PoolCredentials["tls"]>;
  checkPem("credentials.tls.ca", ca, "certificate");
  if ((cert === undefined) !== (key === undefined)) {
    throw new TypeError(
      `${WHERE}: "credentials.tls.${
        cert === undefined ? "key" : "cert"
      }" needs "credentials.tls.${
        cert === undefined ? "cert" : "key"
      }": the pool's certificate and its key go together`,
    );
  }
  if (cert === undefined || key === undefined) return { ca };
  checkPem("credentials.tls.cert", cert, "certificate");
  checkPem("credentials.tls.key", key, "private key");
  return { ca, cert, key };
}

/** Throws a `TypeError` naming `name` unless `value` is PEM of `kind`. */
function checkPem(
  name: string,
  value: unknown,
  kind: "certificate" | "private key",
): void {
  if (typeof value !== "string") {
    throw new TypeError(
      `${WHERE}: "${name}" must be a PEM ${kind} (text), received ${
        describeValue(value)
      }`,
    );
  }
  try {
    if (kind === "certificate") new X509Certificate(value);
    else createPrivateKey(value);
  } catch (error) {
    throw new TypeError(
      `${WHERE}: "${name}" is not a PEM ${kind}: ${
        describeErrorMessage(error)
      }`,
      { cause: error },
    );
  }
}
