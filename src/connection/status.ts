/**
 * gRPC status codes as the caller classifies them: the single source of the
 * transient set and of the names users see.
 *
 * @module
 */
import { grpc } from "../wire/grpc.ts";

/**
 * Codes that mean "this worker, not now": the dispatcher skips to the next
 * worker and keeps this one.
 */
export const TRANSIENT_STATUS_CODES: ReadonlySet<number> = new Set([
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.RESOURCE_EXHAUSTED,
]);

/** What the dispatcher does with a worker that failed an attempt. */
export type StatusClass = "transient" | "evict";

/** Transient codes keep the worker; any other failure evicts it. */
export function classifyStatus(code: number): StatusClass {
  return TRANSIENT_STATUS_CODES.has(code) ? "transient" : "evict";
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

/** The status codes used by name elsewhere in the caller. */
export const Status = {
  OK: grpc.status.OK,
  CANCELLED: grpc.status.CANCELLED,
  RESOURCE_EXHAUSTED: grpc.status.RESOURCE_EXHAUSTED,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  INTERNAL: grpc.status.INTERNAL,
} as const;
