/**
 * A real NATS server for the NATS discovery tests: Debian's `nats-server`
 * (core NATS, no JetStream) on a loopback port. The first start lets the
 * server pick a free port (`-p -1`) and reads it from its log; `restart()`
 * serves the same port again, so clients reconnect to it.
 *
 * @module
 */
import {
  EngineProcess,
  EngineStartError,
  NATS_SERVER,
  requireEngine,
} from "./engines.ts";

const LISTENING = /Listening for client connections on 127\.0\.0\.1:(\d+)/;
const READY = /Server is ready/;
/** Attempts when another process took the port before a restart. */
const RESTART_ATTEMPTS = 5;

/** A running `nats-server`, always stopped by `await using`. */
export class NatsServer implements AsyncDisposable {
  readonly #path: string;
  #port: number;
  #process: EngineProcess | undefined;

  private constructor(path: string) {
    this.#path = path;
    this.#port = -1;
  }

  /**
   * Starts a server on a free loopback port, resolving once it logged that
   * it is ready.
   *
   * @throws {MissingEngine} when `nats-server` is not installed.
   */
  static async start(): Promise<NatsServer> {
    const server = new NatsServer(requireEngine(NATS_SERVER));
    await server.#serve();
    return server;
  }

  /** The client URL, `nats://127.0.0.1:PORT`. */
  get url(): string {
    return `nats://127.0.0.1:${this.#port}`;
  }

  /** The port it serves (kept across restarts). */
  get port(): number {
    return this.#port;
  }

  /** Whether it runs now. */
  get running(): boolean {
    return this.#process !== undefined;
  }

  /** Stops the server; `restart()` brings it back on the same port. */
  async stop(): Promise<void> {
    const process = this.#process;
    this.#process = undefined;
    await process?.stop();
  }

  /** Stops the server if it runs, then serves the same port again. */
  async restart(): Promise<void> {
    await this.stop();
    for (let attempt = 1;; attempt++) {
      try {
        await this.#serve();
        return;
      } catch (error) {
        if (
          !(error instanceof EngineStartError) ||
          attempt >= RESTART_ATTEMPTS ||
          !/address already in use/i.test(error.log)
        ) throw error;
      }
    }
  }

  async #serve(): Promise<void> {
    const process = EngineProcess.spawn(this.#path, [
      "-a",
      "127.0.0.1",
      "-p",
      String(this.#port),
    ]);
    this.#process = process;
    try {
      const listening = await process.waitForLine((line) =>
        LISTENING.test(line)
      );
      this.#port = Number(LISTENING.exec(listening)?.[1]);
      await process.waitForLine((line) => READY.test(line));
    } catch (error) {
      this.#process = undefined;
      throw error;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
