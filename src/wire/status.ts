/**
 * The wire's vocabulary: every gRPC status code the runtime sends or reads,
 * every metadata key, and what each means. The worker that answers and the
 * caller that reads the answer both use this module, so neither spells a
 * key or a code itself, and a new meaning is added here once.
 *
 * | status                                         | sent by                | means                                          | the caller                                                              |
 * | ---------------------------------------------- | ---------------------- | ---------------------------------------------- | ----------------------------------------------------------------------- |
 * | `OK`                                           | worker                 | the task ended                                 | —                                                                       |
 * | `RESOURCE_EXHAUSTED`, `wool-rejected`          | worker                 | the backpressure hook rejected the task        | tries the next worker                                                   |
 * | `UNAVAILABLE`, `wool-rejected-cause: stopping` | worker                 | the worker is stopping                         | tries the next worker                                                   |
 * | `RESOURCE_EXHAUSTED` without `wool-rejected`   | grpc-js                | a frame over the message size limit            | fails the call, no retry                                                |
 * | `UNAVAILABLE`, `DEADLINE_EXCEEDED`             | grpc-js                | the worker cannot be reached in time           | tries the next worker                                                   |
 * | `UNAUTHENTICATED`                              | worker                 | the call lacked the worker's credential        | the worker leaves the pool (`"unauthenticated"`); tries the next worker |
 * | `INVALID_ARGUMENT`                             | worker                 | a frame out of turn, or of no known kind       | evicts the worker                                                       |
 * | `FAILED_PRECONDITION`                          | worker                 | the Task frame speaks another protocol version | evicts the worker                                                       |
 * | `INTERNAL`                                     | worker                 | the worker failed while handling the task      | evicts the worker                                                       |
 * | `CANCELLED`                                    | caller, worker         | the caller gave up; the stopping worker did    | —                                                                       |
 * | any, `wool-delivery-unknown`                   | the caller's transport | the connection broke after the task was sent   | `WorkerCrashed`, never a retry                                          |
 *
 * | metadata key            | value                        | on                                         |
 * | ----------------------- | ---------------------------- | ------------------------------------------ |
 * | `wool-rejected`         | `backpressure`               | a hook's rejection                         |
 * | `wool-rejected-cause`   | a {@linkcode RejectionCause} | every admission rejection                  |
 * | `wool-reason`           | the hook's own reason        | a rejection whose hook gave one            |
 * | `wool-origin`           | `worker`                     | every status a worker sends                |
 * | `wool-delivery-unknown` | `1`                          | set by the caller's transports, never sent |
 * | `authorization`         | `Bearer <the pool's secret>` | every call the caller makes                |
 *
 * @module
 */
import type { StatusFrame } from "./frames.ts";
import { grpc } from "./grpc.ts";
export { isTerminal, kindOfAck, type TaskKind } from "./task_grammar.ts";
import { MessageTooLarge } from "./message_too_large.ts";
import { ProtocolError } from "./protocol_error.ts";

/** The status codes the runtime sends or reads, by name. */
export const Status = {
  OK: grpc.status.OK,
  CANCELLED: grpc.status.CANCELLED,
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  DEADLINE_EXCEEDED: grpc.status.DEADLINE_EXCEEDED,
  RESOURCE_EXHAUSTED: grpc.status.RESOURCE_EXHAUSTED,
  FAILED_PRECONDITION: grpc.status.FAILED_PRECONDITION,
  UNIMPLEMENTED: grpc.status.UNIMPLEMENTED,
  INTERNAL: grpc.status.INTERNAL,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
} as const;

/**
 * Codes that mean "this worker, not now": the dispatcher skips to the next
 * worker and keeps this one.
 */
export const TRANSIENT_STATUS_CODES: ReadonlySet<number> = new Set([
  Status.UNAVAILABLE,
  Status.DEADLINE_EXCEEDED,
  Status.RESOURCE_EXHAUSTED,
]);

/**
 * What the dispatcher does with a worker that failed an attempt: keep it
 * (`"transient"`), evict it, or remove it as one that refused the pool's
 * credentials (`"unauthenticated"`: a misconfiguration, not overload).
 * Only the last two remove the worker.
 */
export type StatusClass = "transient" | "evict" | "unauthenticated";

/**
 * Transient codes keep the worker; `UNAUTHENTICATED` removes it as
 * refusing the pool's credentials; any other failure evicts it.
 */
export function classifyStatus(code: number): StatusClass {
  if (TRANSIENT_STATUS_CODES.has(code)) return "transient";
  return code === Status.UNAUTHENTICATED ? "unauthenticated" : "evict";
}

const NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(grpc.status)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number")
    .map(([name, code]) => [code, name]),
);

/** The name of a gRPC status code, e.g. `"RESOURCE_EXHAUSTED"`. */
export function statusName(code: number): string {
  return NAMES.get(code) ?? `UNKNOWN_STATUS_${code}`;
}

/** A status with no metadata, as the runtime makes one up. */
export function statusFrame(code: number, details: string): StatusFrame {
  return { code, details, metadata: {} };
}

/** The status a task ends with when its caller cancelled it. */
export const CANCELLED_STATUS: StatusFrame = Object.freeze(
  statusFrame(Status.CANCELLED, "Cancelled by the caller"),
);

/** Metadata key marking a `RESOURCE_EXHAUSTED` as a hook rejection. */
export const REJECTED_METADATA_KEY = "wool-rejected";
/** Value of {@linkcode REJECTED_METADATA_KEY} for a backpressure rejection. */
export const REJECTED_BY_BACKPRESSURE = "backpressure";
/** Metadata key carrying the {@linkcode RejectionCause} of a rejection. */
export const REJECTION_CAUSE_METADATA_KEY = "wool-rejected-cause";
/** Metadata key carrying the hook's reason for a rejection, where it gave one. */
export const REASON_METADATA_KEY = "wool-reason";
/** Metadata key on every status a worker sends; see {@linkcode cameOverTheWire}. */
export const ORIGIN_METADATA_KEY = "wool-origin";
/**
 * Metadata key the caller's transports set on a status they made up
 * themselves (the connection broke) after the Task frame may have reached
 * the worker: the task may have run, so it must not be retried elsewhere.
 */
export const DELIVERY_UNKNOWN_METADATA_KEY = "wool-delivery-unknown";

/**
 * Metadata key of the caller's credential, sent with every call; a worker
 * lets in only calls whose value is `Bearer <its secret>` (written and read
 * by `credential.ts`).
 */
export const AUTHORIZATION_METADATA_KEY = "authorization";
/**
 * How a worker refuses a call that does not carry its credential: the code
 * and nothing more (no hint of what was wrong with the credential).
 */
export const UNAUTHENTICATED_STATUS: StatusFrame = Object.freeze(
  statusFrame(Status.UNAUTHENTICATED, "Unauthenticated"),
);

/** Why a task was not admitted. */
export type RejectionCause =
  /** The hook answered "reject". */
  | "hook"
  /** The hook threw or its promise rejected. */
  | "hook-error"
  /** The hook did not answer within `backpressureTimeoutMs`. */
  | "hook-timeout"
  /** The worker is stopping and takes no new task. */
  | "stopping";

/** Every {@linkcode RejectionCause}, in the order stats list them. */
export const REJECTION_CAUSES: readonly RejectionCause[] = Object.freeze(
  Object.keys(
    {
      hook: true,
      "hook-error": true,
      "hook-timeout": true,
      stopping: true,
    } satisfies Record<RejectionCause, true>,
  ) as RejectionCause[],
);

/** A worker's refusal to admit a task, as it travels. */
export interface Rejection {
  readonly cause: RejectionCause;
  /** The hook's own reason, where it gave one. */
  readonly reason?: string;
  /** A message for the caller naming the cause. */
  readonly message: string;
}

/**
 * The status a worker refuses a task with: `RESOURCE_EXHAUSTED` marked
 * `wool-rejected: backpressure` when its hook said no, `UNAVAILABLE` when
 * it is stopping; both transient, so the caller tries the next worker.
 */
export function encodeRejection(rejection: Rejection): StatusFrame {
  const byHook = rejection.cause !== "stopping";
  return {
    code: byHook ? Status.RESOURCE_EXHAUSTED : Status.UNAVAILABLE,
    details: rejection.message,
    metadata: {
      ...(byHook ? { [REJECTED_METADATA_KEY]: REJECTED_BY_BACKPRESSURE } : {}),
      [REJECTION_CAUSE_METADATA_KEY]: rejection.cause,
      ...(rejection.reason === undefined
        ? {}
        : { [REASON_METADATA_KEY]: rejection.reason }),
    },
  };
}

/**
 * The worker's rejection a status carries, or `undefined` when it is not
 * one. A `RESOURCE_EXHAUSTED` counts only with `wool-rejected:
 * backpressure`: without it, it is grpc's own limit (see
 * {@linkcode transportLimitError}). An unknown cause reads as `"hook"`.
 */
export function decodeRejection(status: StatusFrame): Rejection | undefined {
  const marked = status.metadata[REJECTED_METADATA_KEY] ===
    REJECTED_BY_BACKPRESSURE;
  if (status.code === Status.RESOURCE_EXHAUSTED && !marked) return undefined;
  const cause = status.metadata[REJECTION_CAUSE_METADATA_KEY];
  if (!marked && !cause) return undefined;
  const reason = status.metadata[REASON_METADATA_KEY];
  return {
    cause: (REJECTION_CAUSES as readonly string[]).includes(cause ?? "")
      ? cause as RejectionCause
      : "hook",
    ...(reason === undefined ? {} : { reason }),
    message: status.details ||
      (reason ? `Rejected by backpressure hook: ${reason}` : statusName(
        status.code,
      )),
  };
}

/**
 * The error for a `RESOURCE_EXHAUSTED` no hook sent: grpc's own message
 * size limit, which is not overload, so the call fails with it instead of
 * trying another worker. grpc-js names the sizes in its message ("Received
 * message larger than max (N vs. M)"): then it is a `MessageTooLarge`.
 * `undefined` for any other status.
 */
export function transportLimitError(status: StatusFrame): Error | undefined {
  if (status.code !== Status.RESOURCE_EXHAUSTED) return undefined;
  if (decodeRejection(status) !== undefined) return undefined;
  const sizes = /\((\d+) vs\.? (\d+)\)/.exec(status.details);
  if (sizes) {
    return new MessageTooLarge(
      "task frame",
      Number(sizes[1]),
      Number(sizes[2]),
      {
        cause: new Error(status.details),
      },
    );
  }
  return new ProtocolError(
    `The worker refused the task with RESOURCE_EXHAUSTED (not a backpressure rejection): ${status.details}`,
  );
}

/** `status`, marked as possibly delivered: the task may have run. */
export function markDeliveryUnknown(status: StatusFrame): StatusFrame {
  return {
    ...status,
    metadata: { ...status.metadata, [DELIVERY_UNKNOWN_METADATA_KEY]: "1" },
  };
}

/** True when the task of a failed channel may have reached its worker. */
export function isDeliveryUnknown(status: StatusFrame): boolean {
  return Boolean(status.metadata[DELIVERY_UNKNOWN_METADATA_KEY]);
}

/**
 * The origin check: true when a status came over the wire from a server,
 * false when the caller's grpc-js made it up (the connection broke, a
 * deadline passed). A server's status always carries metadata — grpc-js
 * sends `content-type` with a status that ends a stream with no data, and
 * every status a worker sends carries `wool-origin`, also after data — and
 * one made up on the caller's side carries none.
 *
 * @param metadata The status's metadata as grpc-js hands it over.
 */
export function cameOverTheWire(metadata: Readonly<object>): boolean {
  return Object.keys(metadata).length > 0;
}

/** A task's status as a worker sends it: marked with its origin, values URI-encoded. */
export function toGrpcStatus(
  status: StatusFrame,
): Pick<grpc.StatusObject, "code" | "details" | "metadata"> {
  const metadata = new grpc.Metadata();
  metadata.set(ORIGIN_METADATA_KEY, "worker");
  for (const [key, value] of Object.entries(status.metadata)) {
    metadata.set(key, encodeURIComponent(value));
  }
  return { code: status.code, details: status.details, metadata };
}

/**
 * A task's status as the caller reads it from grpc-js. A failure that did
 * not come over the wire, once the task was sent (`sent`), is marked
 * delivery unknown.
 */
export function fromGrpcStatus(
  status: grpc.StatusObject,
  sent: boolean,
): StatusFrame {
  const map = status.metadata.getMap();
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) {
    if (typeof value !== "string") continue;
    try {
      metadata[key] = decodeURIComponent(value);
    } catch {
      metadata[key] = value;
    }
  }
  const frame = { code: status.code, details: status.details, metadata };
  return sent && status.code !== Status.OK && !cameOverTheWire(map)
    ? markDeliveryUnknown(frame)
    : frame;
}
