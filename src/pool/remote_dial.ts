/**
 * Dialing a discovered worker: connect with the pool's `credentials` (TLS
 * when given, named by the discovery's `serverName` or the address's
 * host), ask `Info`, and decide from its answer whether the worker may
 * join. Every outcome is a value (`admission.ts` style), never a throw:
 *
 * | what happened                                   | outcome                      |
 * | ----------------------------------------------- | ---------------------------- |
 * | `Info` answered, same protocol, not draining, every pool tag carried | ready: the connection and the answer |
 * | `UNAUTHENTICATED` (wrong token, no client certificate its CA signed) | unavailable, `"unauthenticated"` |
 * | another protocol version; `UNIMPLEMENTED` (no `Info`: an older worker) | unavailable, `"incompatible"` |
 * | it says it is draining                          | unavailable, `"draining"`    |
 * | it lacks some of the pool's tags                | unavailable, `"untagged"`    |
 * | anything else: refused, timed out, a TLS handshake that failed, aborted | unavailable, `"unreachable"` |
 *
 * The worker's own `Info` is what counts: its tags there, not the ones its
 * discovery listed, decide.
 *
 * @module
 */
import { describeErrorMessage } from "../_util/describe.ts";
import {
  type TaskConnection,
  type Transport,
  WorkerConnection,
} from "../connection/worker_connection.ts";
import type { DiscoveredWorker } from "../discovery/discovery.ts";
import { PROTOCOL_VERSION } from "../wire/protocol_version.ts";
import { Status, statusName } from "../wire/status.ts";
import type { WorkerDetails } from "../wire/worker_details.ts";
import type { ResolvedCredentials } from "./discovery_options.ts";
import { WorkerUnavailable } from "./membership_errors.ts";

/** What the pool needs of its connection to a discovered worker. */
export interface RemoteConnection extends TaskConnection {
  /** The worker's `Info` answer (the liveness probe). */
  info(timeoutMs: number): Promise<WorkerDetails>;
  /**
   * Resolves once the connection, having been up, goes down (the worker
   * went away, the network broke) or is closed.
   */
  lost(): Promise<void>;
  /** Closes it; calls still on it fail with `WorkerCrashed`. */
  close(): void;
}

/** What dialing a discovered worker came to. */
export type DialOutcome =
  | {
    readonly kind: "ready";
    readonly connection: RemoteConnection;
    readonly details: WorkerDetails;
  }
  | { readonly kind: "unavailable"; readonly error: WorkerUnavailable };

/**
 * Dials `worker`, authenticates and learns it (`Info`), and checks it may
 * join; `signal` aborting gives up (the outcome is then unavailable).
 */
export type Dial = (
  worker: DiscoveredWorker,
  signal: AbortSignal,
) => Promise<DialOutcome>;

/** How long a discovered worker gets to connect and answer `Info`. */
const DIAL_TIMEOUT_MS = 5000;

/** What every dial of one pool shares. */
export interface RemoteDialOptions {
  readonly credentials: ResolvedCredentials;
  /** Tags a worker must all carry to join. */
  readonly tags: readonly string[];
  readonly maxConcurrentDispatches: number;
  /** Largest frame, in bytes, including the frame's own fields. */
  readonly maxFrameBytes: number;
  readonly transport: Transport;
}

/** The pool's way to dial the workers its discovery finds. */
export function remoteDialer(options: RemoteDialOptions): Dial {
  return (worker, signal) => dialWorker(worker, options, signal);
}

async function dialWorker(
  worker: DiscoveredWorker,
  options: RemoteDialOptions,
  signal: AbortSignal,
): Promise<DialOutcome> {
  const { address } = worker;
  let connection: WorkerConnection;
  try {
    connection = await WorkerConnection.open({
      address,
      token: options.credentials.token,
      ...(options.credentials.tls === undefined
        ? {}
        : { tls: options.credentials.tls }),
      ...(worker.serverName === undefined
        ? {}
        : { serverName: worker.serverName }),
      maxConcurrentDispatches: options.maxConcurrentDispatches,
      maxFrameBytes: options.maxFrameBytes,
      transport: options.transport,
    });
  } catch (error) {
    return unavailable(address, "unreachable", describeErrorMessage(error), {
      cause: error,
    });
  }
  const abort = () => connection.close();
  signal.addEventListener("abort", abort, { once: true });
  try {
    const details = await connection.info(DIAL_TIMEOUT_MS);
    const refusal = judgeDetails(address, details, options.tags);
    if (refusal === undefined) return { kind: "ready", connection, details };
    connection.close();
    return { kind: "unavailable", error: refusal };
  } catch (error) {
    connection.close();
    return { kind: "unavailable", error: failedInfo(address, error, signal) };
  } finally {
    signal.removeEventListener("abort", abort);
  }
}

/**
 * Why a worker that answered `Info` with `details` may not join, or
 * `undefined` when it may.
 */
export function judgeDetails(
  address: string,
  details: WorkerDetails,
  tags: readonly string[],
): WorkerUnavailable | undefined {
  if (details.protocolVersion !== PROTOCOL_VERSION) {
    return new WorkerUnavailable(
      address,
      "incompatible",
      `it speaks protocol version ${details.protocolVersion}, the pool ${PROTOCOL_VERSION}`,
    );
  }
  if (details.draining) {
    return new WorkerUnavailable(
      address,
      "draining",
      "it is draining: it takes no new task, and will exit",
    );
  }
  const missing = missingTags(tags, details.tags);
  if (missing.length > 0) {
    return new WorkerUnavailable(
      address,
      "untagged",
      `it lacks the pool's tags ${missing.join(", ")} (it carries ${
        details.tags.length === 0 ? "none" : details.tags.join(", ")
      })`,
    );
  }
  return undefined;
}

/** What an `Info` call that failed with `error` says of the worker. */
export function failedInfo(
  address: string,
  error: unknown,
  signal?: AbortSignal,
): WorkerUnavailable {
  const code = (error as { code?: unknown } | null)?.code;
  const details = (error as { details?: unknown } | null)?.details;
  const said = typeof details === "string" && details !== ""
    ? details
    : describeErrorMessage(error);
  if (signal?.aborted) {
    return new WorkerUnavailable(
      address,
      "unreachable",
      "the dial was cut short",
      {
        cause: error,
      },
    );
  }
  if (code === Status.UNAUTHENTICATED) {
    return new WorkerUnavailable(
      address,
      "unauthenticated",
      "it refused the pool's credentials (UNAUTHENTICATED): credentials.token is not its --token-file, or it requires a client certificate its --tls-ca signed",
      { cause: error },
    );
  }
  if (code === Status.UNIMPLEMENTED) {
    return new WorkerUnavailable(
      address,
      "incompatible",
      "it does not serve Info (UNIMPLEMENTED): a worker older than the pool",
      { cause: error },
    );
  }
  const name = typeof code === "number" ? `${statusName(code)}: ` : "";
  // grpc-js ends its text with an empty "Resolution note: ".
  const text = said.replace(/\s*Resolution note:\s*$/, "");
  const opaque = /No connection established/.test(text) &&
    !/certificate|altname|ERR_TLS/i.test(text);
  const hint = opaque ? OPAQUE_FAILURE_HINT : "";
  return new WorkerUnavailable(
    address,
    "unreachable",
    `${name}${text}${hint}`,
    {
      cause: error,
    },
  );
}

/**
 * What a connection that failed with no word of a certificate may mean:
 * grpc-js says no more ("Failed to connect", `EPIPE`, `ECONNRESET`) when
 * the TCP connection is refused and when the worker ends the TLS handshake
 * (no client certificate, or one its CA did not sign; the pool talking
 * plain TCP to a TLS worker).
 */
const OPAQUE_FAILURE_HINT =
  " (nothing listens there, or the worker ended the TLS handshake: check that credentials.tls is given for a worker serving TLS, and that credentials.tls.cert is signed by the CA of its --tls-ca)";

function unavailable(
  address: string,
  reason: "unreachable",
  problem: string,
  options: ErrorOptions,
): DialOutcome {
  return {
    kind: "unavailable",
    error: new WorkerUnavailable(address, reason, problem, options),
  };
}

/** The tags of `required` that `carried` lacks; none when unknown. */
export function missingTags(
  required: readonly string[],
  carried: readonly string[] | undefined,
): string[] {
  if (carried === undefined) return [];
  return required.filter((tag) => !carried.includes(tag));
}
