/**
 * The standalone worker's options, checked from its parsed flags: each
 * value's form, and the rules between flags (TLS needs a key, discovery
 * needs an address pools can reach).
 *
 * Who may call: a worker authenticates callers with a token
 * (`--token-file`), with mutual TLS (`--tls-ca`), or both. TLS without a CA
 * encrypts but lets any caller in, so like serving plain TCP without a
 * token it needs `--insecure`, which in turn cannot go with a way to
 * authenticate (it would say the opposite of what the worker does).
 *
 * @module
 */
import {
  type HostPort,
  isHostName,
  parseHostPort,
} from "../_util/host_port.ts";
import {
  checkNatsServer,
  DEFAULT_NATS_SUBJECT,
  isNatsSubject,
} from "../discovery/nats_protocol.ts";
import type { JsonValue } from "../backpressure/types.ts";
import type { WorkerFlag } from "./cli_flags.ts";
import { WorkerUsageError } from "./cli_usage_error.ts";

/** The worker's options, as its flags give them. */
export interface StandaloneWorkerOptions {
  /** `--listen`: where to bind (port 0: any free port). */
  readonly listen: HostPort;
  /** `--advertise`: the address announced, when not the bound one. */
  readonly advertise?: HostPort;
  /** `--token-file`: the file holding the callers' secret. */
  readonly tokenFile?: string;
  /** `--tls-cert`/`--tls-key`, and `--tls-ca` for mutual TLS. */
  readonly tls?: {
    readonly certFile: string;
    readonly keyFile: string;
    readonly caFile?: string;
  };
  /** `--insecure`: serving with neither a token nor mutual TLS was asked for. */
  readonly insecure: boolean;
  /** `--backpressure` with its export and options, unresolved. */
  readonly backpressure?: {
    readonly module: string;
    readonly export?: string;
    readonly options?: JsonValue;
  };
  /** `--backpressure-timeout-ms`, in milliseconds. */
  readonly backpressureTimeoutMs?: number;
  /** `--capacity`: tasks run at once, at most. */
  readonly capacity?: number;
  /** `--tag`s, each once, in the order given. */
  readonly tags: readonly string[];
  /** `--config`: the Deno config file task modules resolve with. */
  readonly configFile?: string;
  /** `--grace-ms`: in-flight tasks' time after SIGTERM, in milliseconds. */
  readonly graceMs: number;
  /** `--nats` servers and `--nats-subject`. */
  readonly nats?: {
    readonly servers: readonly string[];
    readonly subject: string;
  };
  /** `--allow-known-bad-deno`: start on a Deno release known to break wool. */
  readonly allowKnownBadDeno: boolean;
}

/** Each flag given, with its values in order. */
export type RawWorkerFlags = ReadonlyMap<WorkerFlag, readonly string[]>;

/** Longest duration a flag takes, in milliseconds. */
const MAX_MS = 2 ** 31 - 1;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const TAG = /^[^\s,]{1,256}$/;

/**
 * Checks the flags' values and how they go together.
 *
 * @throws {WorkerUsageError} naming the flag at fault.
 */
export function validateWorkerFlags(
  raw: RawWorkerFlags,
): StandaloneWorkerOptions {
  const one = (flag: WorkerFlag) => raw.get(flag)?.[0];
  const listenText = one("--listen");
  if (listenText === undefined) {
    throw new WorkerUsageError(
      "--listen",
      "is required (HOST:PORT, port 0 for any)",
    );
  }
  const listen = address("--listen", listenText, true);
  const advertiseText = one("--advertise");
  const advertise = advertiseText === undefined
    ? undefined
    : address("--advertise", advertiseText, false);
  if (advertise !== undefined && isUnspecified(advertise.host)) {
    throw new WorkerUsageError(
      "--advertise",
      `${advertise.host} is not an address a pool can reach`,
    );
  }
  const nats = natsOptions(raw);
  if (
    nats !== undefined && advertise === undefined && isUnspecified(listen.host)
  ) {
    throw new WorkerUsageError(
      "--nats",
      `needs --advertise when --listen binds every interface (${listen.host})`,
    );
  }
  const tokenFile = path("--token-file", one("--token-file"));
  const tls = tlsOptions(raw);
  const insecure = raw.has("--insecure");
  const authenticates = tokenFile !== undefined || tls?.caFile !== undefined;
  if (insecure && authenticates) {
    throw new WorkerUsageError(
      "--insecure",
      "cannot go with --token-file or --tls-ca, which authenticate callers",
    );
  }
  if (!insecure && !authenticates) {
    throw new WorkerUsageError(
      undefined,
      tls === undefined
        ? "refusing to serve unauthenticated: give --token-file and/or --tls-cert, --tls-key and --tls-ca (mutual TLS), or --insecure"
        : "refusing to serve unauthenticated: TLS without --tls-ca lets any caller in; add --token-file or --tls-ca, or --insecure",
    );
  }
  const tags = [...new Set(raw.get("--tag") ?? [])];
  const badTag = tags.find((tag) => !TAG.test(tag));
  if (badTag !== undefined) {
    throw new WorkerUsageError(
      "--tag",
      `${
        JSON.stringify(badTag)
      } must be 1–256 characters without spaces or commas`,
    );
  }
  const graceText = one("--grace-ms");
  const capacityText = one("--capacity");
  return {
    listen,
    ...(advertise === undefined ? {} : { advertise }),
    ...(tokenFile === undefined ? {} : { tokenFile }),
    ...(tls === undefined ? {} : { tls }),
    insecure,
    ...backpressureOptions(raw),
    ...(capacityText === undefined
      ? {}
      : { capacity: count("--capacity", capacityText) }),
    tags,
    ...optional("configFile", path("--config", one("--config"))),
    graceMs: graceText === undefined
      ? 30_000
      : milliseconds("--grace-ms", graceText, 0),
    ...(nats === undefined ? {} : { nats }),
    allowKnownBadDeno: raw.has("--allow-known-bad-deno"),
  };
}

function tlsOptions(raw: RawWorkerFlags): StandaloneWorkerOptions["tls"] {
  const certFile = path("--tls-cert", raw.get("--tls-cert")?.[0]);
  const keyFile = path("--tls-key", raw.get("--tls-key")?.[0]);
  const caFile = path("--tls-ca", raw.get("--tls-ca")?.[0]);
  if (certFile === undefined && keyFile === undefined) {
    if (caFile !== undefined) {
      throw new WorkerUsageError(
        "--tls-ca",
        "needs --tls-cert and --tls-key (mutual TLS is TLS)",
      );
    }
    return undefined;
  }
  if (certFile === undefined) {
    throw new WorkerUsageError("--tls-key", "needs --tls-cert");
  }
  if (keyFile === undefined) {
    throw new WorkerUsageError("--tls-cert", "needs --tls-key");
  }
  return { certFile, keyFile, ...optional("caFile", caFile) };
}

function backpressureOptions(
  raw: RawWorkerFlags,
): Pick<StandaloneWorkerOptions, "backpressure" | "backpressureTimeoutMs"> {
  const module = raw.get("--backpressure")?.[0];
  const exportName = raw.get("--backpressure-export")?.[0];
  const optionsText = raw.get("--backpressure-options")?.[0];
  const timeoutText = raw.get("--backpressure-timeout-ms")?.[0];
  if (module === undefined) {
    for (
      const flag of [
        "--backpressure-export",
        "--backpressure-options",
        "--backpressure-timeout-ms",
      ] as const
    ) {
      if (raw.has(flag)) {
        throw new WorkerUsageError(flag, "needs --backpressure");
      }
    }
    return {};
  }
  if (module.trim() === "") {
    throw new WorkerUsageError("--backpressure", "needs a module specifier");
  }
  if (exportName !== undefined && !IDENTIFIER.test(exportName)) {
    throw new WorkerUsageError(
      "--backpressure-export",
      `${JSON.stringify(exportName)} is not an export name`,
    );
  }
  let options: JsonValue | undefined;
  if (optionsText !== undefined) {
    try {
      options = JSON.parse(optionsText);
    } catch (error) {
      throw new WorkerUsageError(
        "--backpressure-options",
        `is not JSON (${(error as Error).message})`,
      );
    }
  }
  return {
    backpressure: {
      module,
      ...optional("export", exportName),
      ...(options === undefined ? {} : { options }),
    },
    ...(timeoutText === undefined ? {} : {
      backpressureTimeoutMs: milliseconds(
        "--backpressure-timeout-ms",
        timeoutText,
        1,
      ),
    }),
  };
}

function natsOptions(raw: RawWorkerFlags): StandaloneWorkerOptions["nats"] {
  const subject = raw.get("--nats-subject")?.[0];
  const servers = (raw.get("--nats") ?? []).flatMap((value) => value.split(","))
    .map((server) => server.trim());
  if (servers.length === 0) {
    if (subject !== undefined) {
      throw new WorkerUsageError("--nats-subject", "needs --nats");
    }
    return undefined;
  }
  for (const server of servers) {
    const problem = checkNatsServer(server);
    if (problem !== undefined) {
      throw new WorkerUsageError(
        "--nats",
        `${JSON.stringify(server)} is not a NATS server URL: ${problem}`,
      );
    }
  }
  if (subject !== undefined && !isNatsSubject(subject)) {
    throw new WorkerUsageError(
      "--nats-subject",
      `${JSON.stringify(subject)} is not a NATS subject without wildcards`,
    );
  }
  return { servers, subject: subject ?? DEFAULT_NATS_SUBJECT };
}

function address(
  flag: WorkerFlag,
  text: string,
  allowPortZero: boolean,
): HostPort {
  const parsed = parseHostPort(text, { allowPortZero });
  if (!parsed.ok) {
    throw new WorkerUsageError(
      flag,
      `${JSON.stringify(text)} is not a HOST:PORT: ${parsed.reason}`,
    );
  }
  return parsed.value;
}

function isUnspecified(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || !isHostName(host);
}

function path(flag: WorkerFlag, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === "") {
    throw new WorkerUsageError(flag, "needs a file path");
  }
  return value;
}

function milliseconds(flag: WorkerFlag, text: string, min: number): number {
  const value = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= MAX_MS)) {
    throw new WorkerUsageError(
      flag,
      `${
        JSON.stringify(text)
      } must be a whole number of milliseconds from ${min} to ${MAX_MS}`,
    );
  }
  return value;
}

/** Most tasks `--capacity` may name. */
const MAX_CAPACITY = 1_000_000;

function count(flag: WorkerFlag, text: string): number {
  const value = /^\d{1,7}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= MAX_CAPACITY)) {
    throw new WorkerUsageError(
      flag,
      `${
        JSON.stringify(text)
      } must be a whole number from 1 to ${MAX_CAPACITY}`,
    );
  }
  return value;
}

function optional<K extends string, V>(
  key: K,
  value: V | undefined,
): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
