/**
 * A standalone worker, serving: its task service, its gRPC server (TLS
 * when it has a certificate), its NATS announcer when `--nats` is given,
 * and how it ends.
 *
 * **Draining** (the first SIGTERM or SIGINT, or a `Stop` RPC), in order:
 * 1. it leaves NATS discovery at once, so pools stop sending it tasks;
 * 2. every new task is rejected as stopping (`UNAVAILABLE`, transient: the
 *    pool tries the next worker), while the server keeps answering;
 * 3. tasks in flight, generators included, get `graceMs` to end; those
 *    left are cancelled (their signal aborts, a generator is closed) and
 *    get {@linkcode CANCEL_SETTLE_MS} to send their last answer;
 * 4. the server closes its connections, gracefully for
 *    {@linkcode CLOSE_GRACE_MS}, then at once; the drain is over.
 *
 * **Halting** (a second signal, or its launcher gone) closes the server at
 * once; the process exits right after.
 *
 * @module
 */
import { formatHostPort } from "../_util/host_port.ts";
import { withTimeout } from "../_util/timeout.ts";
import type { NormalizedHook } from "../backpressure/hook_object.ts";
import { DEFAULT_MAX_MESSAGE_BYTES } from "../wire/message_too_large.ts";
import type { ConnectionLimits } from "../wire/launch.ts";
import { withCapacity } from "./capacity.ts";
import type { StandaloneWorkerOptions } from "./cli_options.ts";
import type { WorkerCredentials } from "./credential_files.ts";
import { NatsAnnouncer } from "./nats_announcer.ts";
import { serve, type Serving } from "./serve.ts";
import { WorkerService } from "./worker_service.ts";

/**
 * What one connection to a standalone worker may hold. Many pools may
 * connect, from other hosts and over TLS: more connections may be pending
 * than on a spawned worker, for longer (a TLS handshake over a network),
 * and a connection carries up to 1024 tasks (a pool's
 * `maxConcurrentDispatches` is 100 by default) plus room for `Idle`,
 * `Info` and its `Session` stream.
 */
export const STANDALONE_CONNECTION_LIMITS: ConnectionLimits = Object.freeze({
  maxConcurrentStreams: 1024 + 8,
  maxPendingConnections: 64,
  pendingConnectionTimeoutMs: 10_000,
});

/** Default `--backpressure-timeout-ms`, as for a pool's workers. */
const DEFAULT_BACKPRESSURE_TIMEOUT_MS = 1000;
/** Milliseconds cancelled tasks get to end and send their last answer. */
export const CANCEL_SETTLE_MS = 1000;
/** Milliseconds connections get to close gracefully once tasks are done. */
export const CLOSE_GRACE_MS = 1000;
/**
 * Milliseconds the end of a drain waits, at most, for the NATS leave to
 * reach the server (it started at the beginning of the drain).
 */
const LEAVE_WAIT_MS = 3000;

/** A standalone worker that serves until it drains or halts. */
export class StandaloneWorker {
  /** Its id of this run: what `Info` says and NATS announces. */
  readonly id: string = crypto.randomUUID();
  readonly #options: StandaloneWorkerOptions;
  readonly #service: WorkerService;
  #serving!: Serving;
  #announcer: NatsAnnouncer | undefined;
  #draining: Promise<void> | undefined;

  private constructor(
    options: StandaloneWorkerOptions,
    hook: NormalizedHook | null,
    onStopped: () => void,
  ) {
    this.#options = options;
    this.#service = new WorkerService({
      hook: options.capacity === undefined
        ? hook
        : withCapacity(options.capacity, hook),
      backpressureTimeoutMs: options.backpressureTimeoutMs ??
        DEFAULT_BACKPRESSURE_TIMEOUT_MS,
      maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
      maxTasksPerSession: STANDALONE_CONNECTION_LIMITS.maxConcurrentStreams,
      onStopped,
      profile: () => ({
        id: this.id,
        address: this.advertised,
        tags: options.tags,
        ...(options.capacity === undefined
          ? {}
          : { capacity: options.capacity }),
      }),
    });
  }

  /**
   * Listens, then starts announcing through NATS when asked to.
   *
   * @param onStopped Called once a `Stop` RPC was answered: the caller
   * drains the worker and exits.
   * @throws the listen error (the address taken, a missing permission).
   */
  static async start(
    options: StandaloneWorkerOptions,
    credentials: WorkerCredentials,
    hook: NormalizedHook | null,
    onStopped: () => void,
  ): Promise<StandaloneWorker> {
    const worker = new StandaloneWorker(options, hook, onStopped);
    worker.#serving = await serve({
      listen: formatHostPort(options.listen.host, options.listen.port),
      authenticator: credentials.authenticator,
      limits: STANDALONE_CONNECTION_LIMITS,
      maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
      handlers: worker.#service.handlers(),
      ...(credentials.tls === undefined ? {} : { tls: credentials.tls }),
    });
    worker.#announce();
    return worker;
  }

  /** Where it listens: `host:port`, an IPv6 host in brackets. */
  get address(): string {
    return this.#serving.address;
  }

  /** Where pools reach it: `--advertise`, else where it listens. */
  get advertised(): string {
    const { advertise } = this.#options;
    return advertise === undefined
      ? this.address
      : formatHostPort(advertise.host, advertise.port);
  }

  /** Whether it has begun to drain. */
  get draining(): boolean {
    return this.#draining !== undefined;
  }

  /**
   * Drains it (see the module doc); resolves once its connections are
   * closed. Idempotent.
   */
  drain(): Promise<void> {
    this.#draining ??= this.#drain();
    return this.#draining;
  }

  /** Closes the server at once; tasks in flight are cut off. */
  halt(): void {
    this.#serving.close();
  }

  async #drain(): Promise<void> {
    const leaving = this.#announcer?.leave();
    await this.#service.stop(this.#options.graceMs);
    await this.#service.docket.drained(AbortSignal.timeout(CANCEL_SETTLE_MS));
    await this.#serving.drain(CLOSE_GRACE_MS);
    if (leaving !== undefined) await withTimeout(leaving, LEAVE_WAIT_MS);
  }

  #announce(): void {
    const { nats, tags, capacity } = this.#options;
    if (nats === undefined) return;
    let lastError: string | undefined;
    this.#announcer = NatsAnnouncer.start({
      servers: nats.servers,
      subject: nats.subject,
      worker: {
        key: this.id,
        address: this.advertised,
        tags,
        ...(capacity === undefined ? {} : { capacity }),
      },
      onError: (error) => {
        // Retried every second while NATS is away: said once per cause.
        if (error.message === lastError) return;
        lastError = error.message;
        console.error(`wool-worker: ${error.message}`);
      },
    });
  }
}
