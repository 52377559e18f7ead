/**
 * Throwaway certificates for TLS tests, made with `openssl` in a temp dir
 * that `await using` removes: a CA, server certificates (the
 * `subjectAltName` IPs and names you pass, `extendedKeyUsage=serverAuth`)
 * and client certificates (`extendedKeyUsage=clientAuth`, without which
 * Deno's TLS silently drops a client certificate; see FACTS.md). Keys are
 * EC P-256, valid for a day, never written outside the temp dir.
 *
 * @module
 */
import { OPENSSL, requireEngine } from "./engines.ts";

/** A certificate and its key, as PEM text and as files. */
export interface IssuedCertificate {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** What a server certificate names. */
export interface ServerNames {
  /** IP addresses for `subjectAltName` (e.g. `127.0.0.2`, `::1`). */
  readonly ips?: readonly string[];
  /** DNS names for `subjectAltName`. */
  readonly dns?: readonly string[];
}

/** A CA in a temp dir, issuing certificates until disposed. */
export class TestCertificateAuthority implements AsyncDisposable {
  readonly #openssl: string;
  readonly #dir: string;
  readonly #ca: IssuedCertificate;
  #issued = 0;

  private constructor(openssl: string, dir: string, ca: IssuedCertificate) {
    this.#openssl = openssl;
    this.#dir = dir;
    this.#ca = ca;
  }

  /**
   * Makes a fresh CA named `name`.
   *
   * @throws {MissingEngine} when `openssl` is not installed.
   */
  static async create(
    name = "wool test CA",
  ): Promise<TestCertificateAuthority> {
    const openssl = requireEngine(OPENSSL);
    const dir = await Deno.makeTempDir({ prefix: "wool-pki-" });
    try {
      const certFile = `${dir}/ca.pem`;
      const keyFile = `${dir}/ca.key`;
      await run(openssl, [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        keyFile,
        "-out",
        certFile,
        "-days",
        "1",
        "-subj",
        `/CN=${name}`,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
      ]);
      return new TestCertificateAuthority(
        openssl,
        dir,
        await load(certFile, keyFile),
      );
    } catch (error) {
      await Deno.remove(dir, { recursive: true });
      throw error;
    }
  }

  /** The CA's own certificate (what a peer trusts) and key. */
  get ca(): IssuedCertificate {
    return this.#ca;
  }

  /** The temp dir holding every file. */
  get dir(): string {
    return this.#dir;
  }

  /** A server certificate for `names`, signed by this CA. */
  server(
    names: ServerNames,
    commonName = "wool worker",
  ): Promise<IssuedCertificate> {
    const altNames = [
      ...(names.ips ?? []).map((ip) => `IP:${ip}`),
      ...(names.dns ?? []).map((dns) => `DNS:${dns}`),
    ];
    if (altNames.length === 0) {
      throw new TypeError(
        "A server certificate needs at least one IP or DNS name",
      );
    }
    return this.#issue(commonName, [
      `subjectAltName=${altNames.join(",")}`,
      "extendedKeyUsage=serverAuth",
    ]);
  }

  /** A client certificate for `commonName`, signed by this CA. */
  client(commonName = "wool pool"): Promise<IssuedCertificate> {
    return this.#issue(commonName, ["extendedKeyUsage=clientAuth"]);
  }

  async #issue(
    commonName: string,
    extensions: readonly string[],
  ): Promise<IssuedCertificate> {
    const base = `${this.#dir}/cert-${++this.#issued}`;
    const extFile = `${base}.ext`;
    await Deno.writeTextFile(
      extFile,
      [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature",
        ...extensions,
        "",
      ].join("\n"),
    );
    await run(this.#openssl, [
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      `${base}.key`,
      "-out",
      `${base}.csr`,
      "-subj",
      `/CN=${commonName}`,
    ]);
    const serial = Array.from(crypto.getRandomValues(new Uint8Array(15)))
      .map((byte) => byte.toString(16).padStart(2, "0")).join("");
    await run(this.#openssl, [
      "x509",
      "-req",
      "-in",
      `${base}.csr`,
      "-CA",
      this.#ca.certFile,
      "-CAkey",
      this.#ca.keyFile,
      "-set_serial",
      `0x01${serial}`,
      "-days",
      "1",
      "-extfile",
      extFile,
      "-out",
      `${base}.pem`,
    ]);
    return load(`${base}.pem`, `${base}.key`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.#dir, { recursive: true });
  }
}

async function load(
  certFile: string,
  keyFile: string,
): Promise<IssuedCertificate> {
  return {
    cert: await Deno.readTextFile(certFile),
    key: await Deno.readTextFile(keyFile),
    certFile,
    keyFile,
  };
}

async function run(openssl: string, args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command(openssl, {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `openssl ${args[0]} failed (exit ${code}): ${
        new TextDecoder().decode(stderr)
      }`,
    );
  }
}
