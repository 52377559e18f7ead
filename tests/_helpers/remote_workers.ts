/**
 * Standalone workers for the tests of pools that find their workers: each
 * a real `src/worker/main.ts --listen …` process on a loopback address
 * standing for a host (127.0.0.2, 127.0.0.3, …), with the token, TLS
 * certificates, tags and NATS server a test asks for. Disposing the set
 * kills (SIGKILL) and reaps every worker still running, and removes the
 * token files.
 *
 * @module
 */
import type { IssuedCertificate } from "./certs.ts";
import { StandaloneProcess, TokenFiles } from "./standalone_process.ts";

/** How to start one worker. */
export interface RemoteWorkerSpec {
  /** The loopback address it listens on, e.g. `127.0.0.2`. */
  readonly host: string;
  /** The port; any free one when absent. */
  readonly port?: number;
  /** Its `--token-file` content; with neither a token nor TLS, `--insecure`. */
  readonly token?: string;
  /** Its server certificate (`--tls-cert`, `--tls-key`). */
  readonly cert?: IssuedCertificate;
  /** The CA file callers' certificates must chain to (`--tls-ca`). */
  readonly clientCaFile?: string;
  readonly tags?: readonly string[];
  /** The NATS server to announce through (`--nats`). */
  readonly nats?: string;
  /** `--grace-ms`. */
  readonly graceMs?: number;
}

/** The standalone workers of one test. */
export class RemoteWorkers implements AsyncDisposable {
  readonly #tokens: TokenFiles;
  readonly #workers: StandaloneProcess[] = [];

  private constructor(tokens: TokenFiles) {
    this.#tokens = tokens;
  }

  /** An empty set. */
  static async create(): Promise<RemoteWorkers> {
    return new RemoteWorkers(await TokenFiles.create());
  }

  /** Starts a worker; resolves once it printed where it listens. */
  async start(spec: RemoteWorkerSpec): Promise<StandaloneProcess> {
    const args = ["--listen", `${spec.host}:${spec.port ?? 0}`];
    if (spec.token !== undefined) {
      args.push("--token-file", await this.#tokens.write(spec.token));
    }
    if (spec.cert !== undefined) {
      args.push(
        "--tls-cert",
        spec.cert.certFile,
        "--tls-key",
        spec.cert.keyFile,
      );
    }
    if (spec.clientCaFile !== undefined) {
      args.push("--tls-ca", spec.clientCaFile);
    }
    if (spec.token === undefined && spec.clientCaFile === undefined) {
      args.push("--insecure");
    }
    for (const tag of spec.tags ?? []) args.push("--tag", tag);
    if (spec.nats !== undefined) args.push("--nats", spec.nats);
    if (spec.graceMs !== undefined) {
      args.push("--grace-ms", String(spec.graceMs));
    }
    const worker = await StandaloneProcess.start(args);
    this.#workers.push(worker);
    return worker;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(
      this.#workers.map((worker) => worker[Symbol.asyncDispose]()),
    );
    await this.#tokens[Symbol.asyncDispose]();
  }
}

/** The port of a `host:port` address. */
export function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(":") + 1));
}
