/**
 * Fakes for the pool's discovered workers (`src/pool/discovered_workers.ts`):
 * {@linkcode FakeRemoteConnection} implements `RemoteConnection` over a
 * {@linkcode FakeConnection} (scripted task channels) with `Info` answers
 * the test scripts, a connection the test can break, and a record of its
 * closing; {@linkcode FakeDialer} is a `Dial` whose outcomes the test
 * decides, one call at a time.
 *
 * @module
 */
import type { DiscoveredWorker } from "../../src/discovery/discovery.ts";
import { WorkerUnavailable } from "../../src/pool/membership_errors.ts";
import type {
  DialOutcome,
  RemoteConnection,
} from "../../src/pool/remote_dial.ts";
import { PROTOCOL_VERSION } from "../../src/wire/protocol_version.ts";
import { Status } from "../../src/wire/status.ts";
import type { WorkerDetails } from "../../src/wire/worker_details.ts";
import { FakeConnection } from "./fakes.ts";

/**
 * An `Info` answer: details, an error to throw, or `"hang"` (no answer:
 * `DEADLINE_EXCEEDED` once the call's time is up).
 */
export type InfoAnswer = Partial<WorkerDetails> | Error | "hang";

/** The details of a healthy worker, with `overrides`. */
export function details(overrides: Partial<WorkerDetails> = {}): WorkerDetails {
  return Object.freeze({
    protocolVersion: PROTOCOL_VERSION,
    id: "fake",
    address: "",
    tags: Object.freeze([]),
    pid: 4242,
    draining: false,
    ...overrides,
  });
}

/** A connection to a discovered worker, scripted by the test. */
export class FakeRemoteConnection extends FakeConnection
  implements RemoteConnection {
  /** How many `Info` calls it got. */
  infos = 0;
  /** Whether `close()` was called. */
  closed = false;
  readonly #lost = Promise.withResolvers<void>();
  readonly #infoAnswers: InfoAnswer[] = [];
  /** What `Info` answers once the script ran out. */
  otherwiseInfo: InfoAnswer = {};

  /** Queues answers for the next `Info` calls. */
  scriptInfo(...answers: InfoAnswer[]): void {
    this.#infoAnswers.push(...answers);
  }

  info(timeoutMs: number): Promise<WorkerDetails> {
    this.infos++;
    const next = this.#infoAnswers.shift() ?? this.otherwiseInfo;
    if (next === "hang") {
      // As grpc-js does at the call's deadline.
      return new Promise((_, reject) =>
        setTimeout(
          () =>
            reject(
              Object.assign(new Error("Deadline exceeded"), {
                code: Status.DEADLINE_EXCEEDED,
              }),
            ),
          timeoutMs,
        )
      );
    }
    if (next instanceof Error) return Promise.reject(next);
    return Promise.resolve(details(next));
  }

  lost(): Promise<void> {
    return this.#lost.promise;
  }

  /** The connection goes down, as when its worker is killed. */
  breakConnection(): void {
    this.#lost.resolve();
  }

  close(): void {
    this.closed = true;
    this.#lost.resolve();
  }
}

/** One dial the test is to answer. */
export interface PendingDial {
  readonly worker: DiscoveredWorker;
  readonly signal: AbortSignal;
  /** Answers the dial. */
  resolve(outcome: DialOutcome): void;
}

/**
 * A `Dial` that hands each call to the test; one cut short (its signal
 * aborted) comes back unavailable unless the test answered it already.
 */
export class FakeDialer {
  readonly dials: PendingDial[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];

  /** The `Dial` function. */
  readonly dial = (
    worker: DiscoveredWorker,
    signal: AbortSignal,
  ): Promise<DialOutcome> => {
    const { promise, resolve } = Promise.withResolvers<DialOutcome>();
    this.dials.push({ worker, signal, resolve });
    // As a real dial: cut short, it comes back unavailable (unless the
    // test answers it first, in the same turn).
    signal.addEventListener("abort", () => {
      setTimeout(() => resolve(unavailable(worker)), 0);
    }, { once: true });
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.dials.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
    return promise;
  };

  /** The addresses dialed, in order. */
  get addresses(): string[] {
    return this.dials.map((dial) => dial.worker.address);
  }

  /** Resolves once `count` dials in all were made; returns the last. */
  async dialed(count: number): Promise<PendingDial> {
    if (this.dials.length < count) {
      await new Promise<void>((resolve) =>
        this.#waiters.push({ count, resolve })
      );
    }
    return this.dials[count - 1];
  }
}

/** A ready outcome over a fresh fake connection to `worker`. */
export function ready(
  worker: DiscoveredWorker,
  overrides: Partial<WorkerDetails> = {},
): { outcome: DialOutcome; connection: FakeRemoteConnection } {
  const connection = new FakeRemoteConnection(worker.address);
  return {
    outcome: { kind: "ready", connection, details: details(overrides) },
    connection,
  };
}

/** An unavailable outcome for `worker`. */
export function unavailable(
  worker: DiscoveredWorker,
  reason: WorkerUnavailable["reason"] = "unreachable",
): DialOutcome {
  return {
    kind: "unavailable",
    error: new WorkerUnavailable(worker.address, reason, `fake ${reason}`),
  };
}
