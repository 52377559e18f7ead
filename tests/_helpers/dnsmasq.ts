/**
 * A real DNS server for the DNS discovery tests: Debian's `dnsmasq`,
 * serving SRV and A/AAAA records of a test zone on a free loopback port.
 * `serve(records)` restarts it on the same port with new records, which is
 * how a test changes DNS while a discovery is subscribed.
 *
 * @module
 */
import {
  DNSMASQ,
  EngineProcess,
  EngineStartError,
  freePort,
  requireEngine,
} from "./engines.ts";

/** One SRV record of the served name. */
export interface SrvRecord {
  readonly target: string;
  readonly port: number;
  readonly priority?: number;
  readonly weight?: number;
}

/** What the server answers. */
export interface DnsRecords {
  /** The SRV records of {@linkcode Dnsmasq.name}. */
  readonly srv: readonly SrvRecord[];
  /** The A/AAAA addresses of each host name. */
  readonly hosts: Readonly<Record<string, readonly string[]>>;
}

/** The zone every record lives in; other names are refused. */
export const ZONE = "workers.test";

const STARTED = /dnsmasq(\[\d+\])?: started, version/;
/** Attempts at a fresh port when another process took the one picked. */
const PORT_ATTEMPTS = 5;

/** A running `dnsmasq`, always stopped by `await using`. */
export class Dnsmasq implements AsyncDisposable {
  /** The SRV name the records are served under. */
  readonly name = `_wool._tcp.${ZONE}`;
  readonly #path: string;
  readonly #port: number;
  #process: EngineProcess | undefined;

  private constructor(path: string, port: number) {
    this.#path = path;
    this.#port = port;
  }

  /**
   * Starts a server answering `records`, resolving once it logged that it
   * started (it binds its sockets before that line).
   *
   * @throws {MissingEngine} when `dnsmasq` is not installed.
   */
  static async start(records: DnsRecords): Promise<Dnsmasq> {
    const path = requireEngine(DNSMASQ);
    for (let attempt = 1;; attempt++) {
      const server = new Dnsmasq(path, freePort());
      try {
        await server.serve(records);
        return server;
      } catch (error) {
        if (
          !(error instanceof EngineStartError) || attempt >= PORT_ATTEMPTS ||
          !/Address already in use/.test(error.log)
        ) {
          throw error;
        }
      }
    }
  }

  /** The server to pass as `nameServer`. */
  get nameServer(): { ipAddr: string; port: number } {
    return { ipAddr: "127.0.0.1", port: this.#port };
  }

  /** The running process's id. */
  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** Restarts the server on the same port, answering `records`. */
  async serve(records: DnsRecords): Promise<void> {
    await this.stop();
    const process = EngineProcess.spawn(this.#path, this.#args(records));
    this.#process = process;
    await process.waitForLine((line) => STARTED.test(line));
  }

  /** Stops the server; the port stays reserved for a later `serve()`. */
  async stop(): Promise<void> {
    const process = this.#process;
    this.#process = undefined;
    await process?.stop();
  }

  #args(records: DnsRecords): string[] {
    const args = [
      "--keep-in-foreground",
      "--conf-file=/dev/null",
      "--pid-file",
      "--no-resolv",
      "--no-hosts",
      "--cache-size=0",
      "--log-facility=-",
      `--port=${this.#port}`,
      "--listen-address=127.0.0.1",
      "--bind-interfaces",
      `--local=/${ZONE}/`,
    ];
    for (const record of records.srv) {
      args.push(
        `--srv-host=${this.name},${record.target},${record.port},${
          record.priority ?? 0
        },${record.weight ?? 0}`,
      );
    }
    for (const [host, addresses] of Object.entries(records.hosts)) {
      if (addresses.length > 0) {
        args.push(`--host-record=${host},${addresses.join(",")}`);
      }
    }
    return args;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
