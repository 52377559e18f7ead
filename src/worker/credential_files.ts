/**
 * A standalone worker's credentials, read from the files its flags name:
 * the token callers must present (`--token-file`), and the certificate,
 * key and CA it serves TLS with (`--tls-cert`, `--tls-key`, `--tls-ca`).
 * A file that cannot be used is a usage error naming its flag, before the
 * worker listens.
 *
 * The token file:
 * - holds the token and nothing else; surrounding whitespace (the newline
 *   an editor or `echo` adds) is trimmed;
 * - must not be empty, and may hold only visible ASCII (the token travels
 *   as a header value);
 * - must not be readable by other users (on Unix, no "others" read bit):
 *   the token lets its holder run code as the worker's user. A Kubernetes
 *   Secret mounted with `defaultMode: 0440` and the pod's `fsGroup` fits.
 *
 * Certificates are checked as PEM (the certificate, its key, that the key
 * is the certificate's, the CA), so a wrong file is named here rather than
 * failing every handshake later.
 *
 * @module
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import {
  acceptingAuthenticator,
  type Authenticator,
  tokenAuthenticator,
} from "./authenticator.ts";
import type { StandaloneWorkerOptions } from "./cli_options.ts";
import { WorkerUsageError } from "./cli_usage_error.ts";
import type { WorkerFlag } from "./cli_flags.ts";
import type { ServeTls } from "./serve.ts";

/** What a standalone worker authenticates and serves with. */
export interface WorkerCredentials {
  /** Decides which calls are served. */
  readonly authenticator: Authenticator;
  /** The TLS certificate to serve with, when `--tls-cert` is given. */
  readonly tls?: ServeTls;
  /** Warnings to print before serving (a token in clear, no authentication). */
  readonly warnings: readonly string[];
}

/**
 * Reads and checks the credential files `options` name.
 *
 * @throws {WorkerUsageError} naming the flag of a file that is missing,
 * unreadable, empty, readable by other users (a token), or not what it
 * should be (a certificate, a key, a key of another certificate).
 */
export async function readWorkerCredentials(
  options: StandaloneWorkerOptions,
): Promise<WorkerCredentials> {
  const byToken = options.tokenFile === undefined
    ? undefined
    : await readToken(options.tokenFile);
  const tls = options.tls === undefined
    ? undefined
    : await readTls(options.tls);
  const warnings: string[] = [];
  if (byToken !== undefined && tls === undefined) {
    warnings.push(
      "the token travels in clear over plain TCP: anyone who can watch the network can take it and run tasks here; serve TLS with --tls-cert and --tls-key",
    );
  }
  if (options.insecure) {
    warnings.push(
      "--insecure: any caller that can connect runs tasks, with this worker's user and permissions",
    );
  }
  return {
    authenticator: byToken ?? acceptingAuthenticator(),
    ...(tls === undefined ? {} : { tls }),
    warnings,
  };
}

async function readToken(path: string): Promise<Authenticator> {
  const info = await statFile("--token-file", path);
  const mode = info.mode;
  if (mode !== null && (mode & 0o004) !== 0) {
    throw new WorkerUsageError(
      "--token-file",
      `${JSON.stringify(path)} is readable by other users (mode ${
        (mode & 0o777).toString(8).padStart(4, "0")
      }); make it private: chmod o-rwx ${path}`,
    );
  }
  const token = (await readText("--token-file", path)).trim();
  if (token === "") {
    throw new WorkerUsageError(
      "--token-file",
      `${JSON.stringify(path)} is empty`,
    );
  }
  try {
    return tokenAuthenticator(token);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new WorkerUsageError(
      "--token-file",
      `${
        JSON.stringify(path)
      } must hold one token of visible ASCII characters (no spaces inside)`,
    );
  }
}

async function readTls(
  files: NonNullable<StandaloneWorkerOptions["tls"]>,
): Promise<ServeTls> {
  const cert = await readText("--tls-cert", files.certFile);
  const key = await readText("--tls-key", files.keyFile);
  const certificate = parse(
    "--tls-cert",
    files.certFile,
    "a PEM certificate",
    () => new X509Certificate(cert),
  );
  const privateKey = parse(
    "--tls-key",
    files.keyFile,
    "a PEM private key",
    () => createPrivateKey(key),
  );
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new WorkerUsageError(
      "--tls-key",
      `${JSON.stringify(files.keyFile)} is not the key of --tls-cert ${
        JSON.stringify(files.certFile)
      }`,
    );
  }
  if (files.caFile === undefined) return { cert, key };
  const ca = await readText("--tls-ca", files.caFile);
  parse(
    "--tls-ca",
    files.caFile,
    "a PEM certificate",
    () => new X509Certificate(ca),
  );
  return { cert, key, ca };
}

function parse<T>(
  flag: WorkerFlag,
  path: string,
  what: string,
  read: () => T,
): T {
  try {
    return read();
  } catch (error) {
    throw new WorkerUsageError(
      flag,
      `${JSON.stringify(path)} is not ${what} (${messageOf(error)})`,
    );
  }
}

async function statFile(
  flag: WorkerFlag,
  path: string,
): Promise<Deno.FileInfo> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    throw cannotRead(flag, path, error);
  }
  if (!info.isFile) {
    throw new WorkerUsageError(flag, `${JSON.stringify(path)} is not a file`);
  }
  return info;
}

async function readText(flag: WorkerFlag, path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw cannotRead(flag, path, error);
  }
}

function cannotRead(
  flag: WorkerFlag,
  path: string,
  error: unknown,
): WorkerUsageError {
  return new WorkerUsageError(
    flag,
    `cannot read ${JSON.stringify(path)}: ${messageOf(error)}`,
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
