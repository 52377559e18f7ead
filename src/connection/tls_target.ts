/**
 * What a grpc-js client needs to dial a worker over TLS: the channel
 * credentials (the CA to trust, and a client certificate for mutual TLS)
 * and the channel options naming the server.
 *
 * Deno's `node:tls` refuses an IP address as the TLS server name (SNI),
 * which grpc-js sends for a target's host, so a client that dials a worker
 * by IP fails every handshake. Dialing an IP, the client here gives
 * grpc-js a placeholder name to send ({@linkcode IP_SERVER_NAME}, through
 * `grpc.ssl_target_name_override`) and checks the worker's certificate
 * against the IP itself (its `subjectAltName` must list it), in
 * `checkServerIdentity`. Dialing a DNS name, or given `serverName` (the
 * name in the certificate when it is not the host dialed, as a DNS SRV
 * target is), it checks that name.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { isIP } from "node:net";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { parseHostPort } from "../_util/host_port.ts";
import { grpc } from "../wire/grpc.ts";

/**
 * The TLS server name a client sends when it dials an IP address, which
 * Deno refuses as a server name. `.invalid` is reserved (RFC 2606): no
 * certificate can be issued for it, so it never names a real server.
 */
export const IP_SERVER_NAME = "ip-address.invalid";

/** A client's TLS settings, as PEM text. */
export interface ClientTls {
  /** The CA the worker's certificate must chain to. */
  readonly ca: string;
  /** A client certificate, for workers that ask for one (mutual TLS). */
  readonly cert?: string;
  /** The client certificate's private key. */
  readonly key?: string;
}

/** Credentials and options for `new grpc.Client(address, …)`. */
export interface TlsChannel {
  readonly credentials: grpc.ChannelCredentials;
  readonly options: grpc.ChannelOptions;
}

/**
 * The channel credentials and options to dial `address` over TLS.
 *
 * @param address The worker's `host:port` (an IPv6 host in brackets).
 * @param tls The CA to trust, and a client certificate for mutual TLS.
 * @param serverName The name to check the worker's certificate against,
 * when not the host of `address`.
 * @returns What to build the client with.
 * @throws {TypeError} when `address` is not a `host:port`, or only one of
 * `cert` and `key` is given.
 *
 * @example Dialing a worker by IP
 * ```ts
 * import { IP_SERVER_NAME, tlsChannel } from "./tls_target.ts";
 * import assert from "node:assert/strict";
 *
 * const ca = "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n";
 * const { options } = tlsChannel("127.0.0.2:7000", { ca });
 * assert.equal(options["grpc.ssl_target_name_override"], IP_SERVER_NAME);
 * ```
 */
export function tlsChannel(
  address: string,
  tls: ClientTls,
  serverName?: string,
): TlsChannel {
  const parsed = parseHostPort(address);
  if (!parsed.ok) {
    throw new TypeError(
      `Cannot dial ${JSON.stringify(address)} over TLS: ${parsed.reason}`,
    );
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new TypeError(
      "Cannot dial over TLS: a client certificate needs both cert and key",
    );
  }
  const name = serverName ?? parsed.value.host;
  const byIp = isIP(name) !== 0;
  const credentials = grpc.credentials.createSsl(
    Buffer.from(tls.ca),
    tls.key === undefined ? null : Buffer.from(tls.key),
    tls.cert === undefined ? null : Buffer.from(tls.cert),
    {
      checkServerIdentity: (_sent: string, cert: PeerCertificate) =>
        checkServerIdentity(name, cert),
    },
  );
  const sent = byIp ? IP_SERVER_NAME : name;
  return {
    credentials,
    options: sent === parsed.value.host
      ? {}
      : { "grpc.ssl_target_name_override": sent },
  };
}
