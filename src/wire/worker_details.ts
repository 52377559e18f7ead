/**
 * What a worker says about itself when asked with the `Info` RPC: what a
 * pool needs to know of a worker it meets, a discovered one especially
 * (which protocol it speaks, its tags, whether it is on its way out). The
 * worker writes it with {@linkcode encodeWorkerDetails}; the caller reads
 * it with {@linkcode decodeWorkerDetails}, so both agree on what an absent
 * field means.
 *
 * @module
 */

/** A worker's answer to `Info`. */
export interface WorkerDetails {
  /** The protocol version of the Task frames it reads. */
  readonly protocolVersion: number;
  /**
   * Its id: a spawned worker's id in its pool; a standalone worker's id of
   * this run, fresh at each start (the key it announces through NATS).
   */
  readonly id: string;
  /** Where pools reach it: its advertised address, else where it listens. */
  readonly address: string;
  /** Its tags (`--tag`). */
  readonly tags: readonly string[];
  /** Its process id. */
  readonly pid: number;
  /** How many tasks it runs at once, when it says (`--capacity`). */
  readonly capacity?: number;
  /**
   * Whether it is draining: it admits no new task, and exits once those in
   * flight end.
   */
  readonly draining: boolean;
}

/** `WorkerDetails` as the wire carries it: 0 for no capacity. */
export interface WorkerDetailsMessage {
  protocolVersion: number;
  id: string;
  address: string;
  tags: string[];
  pid: number;
  capacity: number;
  draining: boolean;
}

/** The `Info` answer for `details`. */
export function encodeWorkerDetails(
  details: WorkerDetails,
): WorkerDetailsMessage {
  return {
    protocolVersion: details.protocolVersion,
    id: details.id,
    address: details.address,
    tags: [...details.tags],
    pid: details.pid,
    capacity: details.capacity ?? 0,
    draining: details.draining,
  };
}

/**
 * Reads an `Info` answer, decoded with or without proto3 defaults: an
 * absent field is its default (no tags, not draining), and a capacity of 0
 * means the worker named none.
 */
export function decodeWorkerDetails(
  message: Partial<WorkerDetailsMessage> | undefined,
): WorkerDetails {
  const capacity = message?.capacity ?? 0;
  return Object.freeze({
    protocolVersion: message?.protocolVersion ?? 0,
    id: message?.id ?? "",
    address: message?.address ?? "",
    tags: Object.freeze([...message?.tags ?? []]),
    pid: message?.pid ?? 0,
    ...(capacity > 0 ? { capacity } : {}),
    draining: message?.draining ?? false,
  });
}
