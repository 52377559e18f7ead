/**
 * The worker's side of NATS discovery: a standalone worker started with
 * `--nats URL` announces where it serves, renews that every renewal period,
 * answers every pool's roll call, and publishes a leave when it drains. The
 * subjects and messages are described in `src/discovery/nats_protocol.ts`.
 *
 * The announcer never stops the worker: it connects in the background,
 * reports each failure through `onError`, and keeps trying. A worker that
 * is killed or cut off simply stops renewing, and pools drop it within 3
 * renewal periods.
 *
 * @module
 */
import { DiscoveryError } from "../discovery/errors.ts";
import { pause, waitForAbort } from "../discovery/_event_stream.ts";
import {
  type AnnouncedWorker,
  type NatsAnnouncerOptions,
  resolveAnnouncerOptions,
  type ResolvedAnnouncerOptions,
} from "./_announcer_options.ts";

export type { AnnouncedWorker, NatsAnnouncerOptions };
import { connect, type NatsConnection } from "../discovery/_nats.ts";
import {
  type Announcement,
  encodeMessage,
  NATS_PROTOCOL_VERSION,
  type NatsSubjects,
  natsSubjects,
  TTL_RENEWAL_PERIODS,
} from "../discovery/nats_protocol.ts";

/** How long a leave may wait to reach the server, in milliseconds. */
const LEAVE_FLUSH_MS = 2000;

/**
 * Announces one worker through NATS until {@linkcode NatsAnnouncer.leave}.
 *
 * @example Announcing a worker, then leaving
 * ```ts ignore
 * // Needs a NATS server at 127.0.0.1:4222.
 * import { NatsAnnouncer } from "./nats_announcer.ts";
 *
 * await using announcer = NatsAnnouncer.start({
 *   servers: "nats://127.0.0.1:4222",
 *   worker: { key: crypto.randomUUID(), address: "127.0.0.2:5001", tags: ["gpu"] },
 * });
 * await announcer.announced;
 * ```
 */
export class NatsAnnouncer implements AsyncDisposable {
  readonly #options: ResolvedAnnouncerOptions;
  readonly #subjects: NatsSubjects;
  readonly #payload: Uint8Array;
  readonly #stop = new AbortController();
  readonly #running: Promise<void>;
  #firstAnnounced!: () => void;
  #neverAnnounced!: (error: Error) => void;
  /**
   * Resolves once the first announcement reached the server; rejects when
   * the announcer leaves before that.
   */
  readonly announced: Promise<void>;

  private constructor(options: ResolvedAnnouncerOptions) {
    this.#options = options;
    this.#subjects = natsSubjects(options.subject);
    const announcement: Announcement = {
      v: NATS_PROTOCOL_VERSION,
      key: options.worker.key,
      address: options.worker.address,
      tags: options.worker.tags ?? [],
      ...(options.worker.capacity === undefined
        ? {}
        : { capacity: options.worker.capacity }),
      ttlMs: Math.ceil(options.renewMs * TTL_RENEWAL_PERIODS),
    };
    this.#payload = encodeMessage(announcement);
    this.announced = new Promise((resolve, reject) => {
      this.#firstAnnounced = resolve;
      this.#neverAnnounced = reject;
    });
    // Only those who await it should see its rejection.
    this.announced.catch(() => {});
    this.#running = this.#run();
  }

  /**
   * Starts announcing `options.worker` in the background.
   *
   * @throws {TypeError} when an option has the wrong type or form (a
   * server URL, the subject, the worker's key, address or tags).
   * @throws {RangeError} when `renewMs`, `reconnectWaitMs` or the capacity
   * is out of range.
   */
  static start(options: NatsAnnouncerOptions): NatsAnnouncer {
    return new NatsAnnouncer(resolveAnnouncerOptions(options));
  }

  /**
   * Stops announcing and publishes a leave, so pools drop the worker at
   * once (when NATS is unreachable, they drop it when its last announcement
   * expires). Resolves once the connection is closed; idempotent.
   */
  async leave(): Promise<void> {
    this.#stop.abort();
    await this.#running;
    this.#neverAnnounced(
      new DiscoveryError(this.#source, "left before announcing to NATS"),
    );
  }

  async #run(): Promise<void> {
    const stop = this.#stop.signal;
    while (!stop.aborted) {
      const connection = await this.#connect();
      if (connection === undefined) {
        await pause(this.#options.reconnectWaitMs, stop);
        continue;
      }
      await this.#serve(connection);
    }
  }

  async #connect(): Promise<NatsConnection | undefined> {
    try {
      return await connect({
        servers: [...this.#options.servers],
        name: `wool-worker ${this.#options.worker.key}`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: this.#options.reconnectWaitMs,
      });
    } catch (error) {
      this.#report(
        `cannot connect to NATS (${messageOf(error)}); retrying`,
        error,
      );
      return undefined;
    }
  }

  async #serve(connection: NatsConnection): Promise<void> {
    const stop = this.#stop.signal;
    const announce = () =>
      connection.publish(this.#subjects.announce, this.#payload);
    connection.subscribe(this.#subjects.rollCall, {
      callback: (error, message) => {
        if (error !== null || stop.aborted) return;
        if (message.reply) message.respond(this.#payload);
        else announce();
      },
    });
    const watching = (async () => {
      for await (const status of connection.status()) {
        if (status.type === "reconnect") announce();
      }
    })();
    announce();
    const renewing = setInterval(announce, this.#options.renewMs);
    connection.flush().then(() => this.#firstAnnounced(), () => {});
    const closed = connection.closed();
    await Promise.race([waitForAbort(stop), closed]);
    clearInterval(renewing);
    if (stop.aborted) {
      connection.publish(
        this.#subjects.leave,
        encodeMessage({
          v: NATS_PROTOCOL_VERSION,
          key: this.#options.worker.key,
        }),
      );
      const flushed = new AbortController();
      await Promise.race([
        connection.flush().catch(() => {}).finally(() => flushed.abort()),
        pause(LEAVE_FLUSH_MS, flushed.signal),
      ]);
    } else {
      this.#report(
        `the connection to NATS closed (${
          messageOf(await closed)
        }); reconnecting`,
      );
    }
    await connection.close();
    await watching;
  }

  get #source(): string {
    return `NatsAnnouncer(${JSON.stringify(this.#options.subject)})`;
  }

  #report(problem: string, cause?: unknown): void {
    this.#options.onError?.(
      new DiscoveryError(
        this.#source,
        problem,
        cause === undefined ? undefined : { cause },
      ),
    );
  }

  /** Leaves, as {@linkcode NatsAnnouncer.leave} does. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.leave();
  }
}

function messageOf(error: unknown): string {
  if (error === undefined) return "no reason given";
  return error instanceof Error ? error.message : String(error);
}
