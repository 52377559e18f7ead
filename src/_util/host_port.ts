/**
 * `host:port` addresses, as discovery reports them and as the standalone
 * worker's `--listen`/`--advertise` flags take them: an IPv4 address, a DNS
 * name, or an IPv6 address in brackets (`[::1]:5001`), then a decimal port.
 *
 * Parsing answers with a value, never a throw: the caller words the error
 * (a `TypeError` naming a list entry, a usage error naming a flag).
 *
 * @module
 */
import { isIP } from "node:net";

/** A parsed `host:port`; `host` carries no brackets. */
export interface HostPort {
  /** An IPv4 or IPv6 address, or a DNS name. */
  readonly host: string;
  /** The port, 0–65535. */
  readonly port: number;
}

/** The outcome of {@linkcode parseHostPort}: the address, or why not. */
export type HostPortResult =
  | { readonly ok: true; readonly value: HostPort }
  | {
    readonly ok: false;
    /** `"range"`: a port out of range; `"syntax"`: anything else. */
    readonly kind: "syntax" | "range";
    readonly reason: string;
  };

/** One DNS label: letters, digits, `-` and `_` (as in `_wool._tcp`). */
const LABEL = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/;

const MAX_PORT = 65_535;

/**
 * Parses `host:port`. Port 0 is accepted only with `allowPortZero` (a
 * listen address: "any free port").
 */
export function parseHostPort(
  text: string,
  { allowPortZero = false }: { allowPortZero?: boolean } = {},
): HostPortResult {
  const split = splitHostPort(text);
  if (!split.ok) return split;
  const { host, portText } = split.value;
  if (!/^\d{1,5}$/.test(portText)) {
    return fail(`port ${JSON.stringify(portText)} is not a decimal number`);
  }
  const port = Number(portText);
  if (port > MAX_PORT || (port === 0 && !allowPortZero)) {
    return fail(
      `port ${port} is out of range (${allowPortZero ? 0 : 1}–${MAX_PORT})`,
      "range",
    );
  }
  return { ok: true, value: { host, port } };
}

/** Writes `host:port`, bracketing an IPv6 host. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** True when `host` is an IPv4/IPv6 address or a well-formed DNS name. */
export function isHostName(host: string): boolean {
  if (isIP(host) !== 0) return true;
  const name = host.endsWith(".") ? host.slice(0, -1) : host;
  if (name.length === 0 || name.length > 253) return false;
  return name.split(".").every((label) => LABEL.test(label));
}

function splitHostPort(
  text: string,
):
  | { ok: true; value: { host: string; portText: string } }
  | HostPortFailure {
  if (text.includes("://")) return fail("it is a URL; give host:port only");
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    const host = text.slice(1, close);
    if (close < 0 || isIP(host) !== 6) {
      return fail("a bracketed host must be an IPv6 address, as [::1]:5001");
    }
    if (text[close + 1] !== ":") return fail("it has no :port");
    return { ok: true, value: { host, portText: text.slice(close + 2) } };
  }
  const colon = text.lastIndexOf(":");
  if (colon < 0) return fail("it has no :port");
  const host = text.slice(0, colon);
  if (host.includes(":")) {
    return fail("an IPv6 host must be in brackets, as [::1]:5001");
  }
  if (!isHostName(host)) {
    return fail(`host ${JSON.stringify(host)} is not an IP address or name`);
  }
  return { ok: true, value: { host, portText: text.slice(colon + 1) } };
}

type HostPortFailure = Extract<HostPortResult, { ok: false }>;

function fail(
  reason: string,
  kind: HostPortFailure["kind"] = "syntax",
): HostPortFailure {
  return { ok: false, kind, reason };
}
