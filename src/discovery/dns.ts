import { isIP } from "node:net";
import { describeValue } from "../_util/describe.ts";
import { isHostName } from "../_util/host_port.ts";
import type { Discovery, DiscoveryEvent } from "./discovery.ts";
import { DiscoveryError } from "./errors.ts";
import { checkOptionsObject, durationOption } from "./_options.ts";
import { openEventStream, pause } from "./_event_stream.ts";
import { type DnsResolver, lookupWorkers } from "./_dns_lookup.ts";
import { Membership } from "./_membership.ts";

/** Options of {@linkcode dnsDiscovery}. */
export interface DnsDiscoveryOptions {
  /**
   * The SRV name to resolve, e.g. `_wool._tcp.workers.default.svc.cluster.local`
   * (a Kubernetes headless Service with a port named `wool`).
   */
  name: string;
  /**
   * The DNS server to ask, and its port (default 53).
   *
   * @default {the system's resolver}
   */
  nameServer?: { ipAddr: string; port?: number };
  /**
   * Time between the end of one resolution and the start of the next, in
   * milliseconds.
   *
   * @default {5000}
   */
  intervalMs?: number;
  /**
   * How long one query may take before the round counts as failed, in
   * milliseconds.
   *
   * @default {2000}
   */
  timeoutMs?: number;
}

/**
 * A discovery of the workers named by DNS SRV records: each record's
 * target is resolved to its A and AAAA addresses (through the same name
 * server), and each address with the record's port is one worker, keyed by
 * that `host:port`, with the target as its TLS `serverName`. The name is
 * resolved again every `intervalMs`, and the differences are reported: a
 * worker whose record disappeared is `removed` (`"withdrawn"`), and the
 * pool lets its in-flight tasks finish.
 *
 * A name that does not exist or has no SRV records (NXDOMAIN, NODATA; Deno
 * reports a refused query the same way) means no workers: every known
 * worker is removed. A server that does not answer within `timeoutMs`, or
 * answers with a failure, changes nothing: the last known set is kept, an
 * `error` event is reported, and the next round tries again. `synced`
 * follows the first round that succeeds.
 *
 * @param options The name to resolve, and how.
 * @returns A {@linkcode Discovery} of the workers the records name.
 * @throws {TypeError} when `name` is not a DNS name, or `nameServer.ipAddr`
 * is not an IP address; the message names the option.
 * @throws {RangeError} when `nameServer.port`, `intervalMs` or `timeoutMs`
 * is out of range.
 *
 * @example A Kubernetes headless Service
 * ```ts
 * import { dnsDiscovery } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const discovery = dnsDiscovery({
 *   name: "_wool._tcp.workers.default.svc.cluster.local",
 *   intervalMs: 10_000,
 * });
 * assert.equal(typeof discovery.subscribe, "function");
 * ```
 */
export function dnsDiscovery(options: DnsDiscoveryOptions): Discovery {
  const { name, resolver, intervalMs, timeoutMs } = resolveOptions(options);
  const source = `dnsDiscovery(${JSON.stringify(name)})`;
  return {
    subscribe(signal: AbortSignal): AsyncIterable<DiscoveryEvent> {
      return openEventStream<DiscoveryEvent>(signal, async (emit, stop) => {
        const members = new Membership(emit);
        let synced = false;
        do {
          const round = await withTimeout(
            timeoutMs,
            stop,
            (query) =>
              lookupWorkers(resolver, name, [...members.workers()], query),
          );
          if (stop.aborted) return;
          if (!round.ok) {
            emit({
              type: "error",
              error: new DiscoveryError(
                source,
                `the SRV query failed (${
                  describeError(round.error)
                }); keeping the last known workers`,
                { cause: round.error },
              ),
            });
            continue;
          }
          members.replaceAll(round.workers);
          for (const failure of round.failures) {
            emit({
              type: "error",
              error: new DiscoveryError(
                source,
                `resolving target ${JSON.stringify(failure.target)} failed (${
                  describeError(failure.error)
                }); keeping its last known workers`,
                { cause: failure.error },
              ),
            });
          }
          if (!synced) emit({ type: "synced" });
          synced = true;
        } while (await pause(intervalMs, stop));
      });
    },
  };
}

const WHERE = "Cannot create DNS discovery";

interface ResolvedDnsOptions {
  readonly name: string;
  readonly resolver: DnsResolver;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

function resolveOptions(options: DnsDiscoveryOptions): ResolvedDnsOptions {
  checkOptionsObject(WHERE, options);
  const { name, nameServer } = options;
  if (typeof name !== "string" || !isHostName(name)) {
    throw new TypeError(
      `${WHERE}: "name" must be a DNS name, received ${describeValue(name)}`,
    );
  }
  return {
    name,
    resolver: denoResolver(resolveNameServer(nameServer)),
    intervalMs: durationOption(WHERE, "intervalMs", options.intervalMs, 5000),
    timeoutMs: durationOption(WHERE, "timeoutMs", options.timeoutMs, 2000),
  };
}

function resolveNameServer(
  nameServer: DnsDiscoveryOptions["nameServer"],
): Deno.ResolveDnsOptions["nameServer"] {
  if (nameServer === undefined) return undefined;
  if (nameServer === null || typeof nameServer !== "object") {
    throw new TypeError(
      `${WHERE}: "nameServer" must be an object { ipAddr, port? }, received ${
        describeValue(nameServer)
      }`,
    );
  }
  const { ipAddr, port = 53 } = nameServer;
  if (typeof ipAddr !== "string" || isIP(ipAddr) === 0) {
    throw new TypeError(
      `${WHERE}: "nameServer.ipAddr" must be an IP address, received ${
        describeValue(ipAddr)
      }`,
    );
  }
  if (typeof port !== "number") {
    throw new TypeError(
      `${WHERE}: "nameServer.port" must be a number, received ${
        describeValue(port)
      }`,
    );
  }
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new RangeError(
      `${WHERE}: "nameServer.port" must be an integer from 1 to 65535, received ${port}`,
    );
  }
  return { ipAddr, port };
}

function denoResolver(
  nameServer: Deno.ResolveDnsOptions["nameServer"],
): DnsResolver {
  return {
    srv: (name, signal) => Deno.resolveDns(name, "SRV", { nameServer, signal }),
    addresses: (host, type, signal) =>
      Deno.resolveDns(host, type, { nameServer, signal }),
  };
}

/**
 * Runs `query` with a signal that aborts when `stop` does or after `ms`;
 * leaves no timer behind.
 */
async function withTimeout<T>(
  ms: number,
  stop: AbortSignal,
  query: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onStop = () => controller.abort(stop.reason);
  stop.addEventListener("abort", onStop, { once: true });
  const timer = setTimeout(
    () =>
      controller.abort(
        new DOMException(`no answer within ${ms} ms`, "TimeoutError"),
      ),
    ms,
  );
  try {
    return await query(controller.signal);
  } finally {
    clearTimeout(timer);
    stop.removeEventListener("abort", onStop);
  }
}

function describeError(error: unknown): string {
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return error.message;
  }
  return error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
}
