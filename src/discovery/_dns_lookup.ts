/**
 * One round of DNS discovery: the SRV records of a name, each target
 * resolved to its A and AAAA addresses, as the set of workers they name.
 *
 * What the answers mean (Deno's resolver reports NXDOMAIN, a name without
 * records of that type, and a refused query alike, as `NotFound`):
 *
 * | answer                         | meaning                                                  |
 * | ------------------------------ | -------------------------------------------------------- |
 * | SRV records                    | the workers are exactly their targets' addresses          |
 * | SRV `NotFound`                 | the name has no workers now: the set is empty              |
 * | SRV fails otherwise (timeout…) | nothing is known this round: keep the set, report an error |
 * | target A/AAAA `NotFound`       | that target has no addresses of that family                |
 * | target fails otherwise         | keep that target's workers from the last round, report it  |
 *
 * @module
 */
import { isIP } from "node:net";
import { formatHostPort } from "../_util/host_port.ts";
import type { DiscoveredWorker } from "./discovery.ts";

/** The two queries a round makes; `Deno.resolveDns` in production. */
export interface DnsResolver {
  /** The SRV records of `name`. */
  srv(name: string, signal: AbortSignal): Promise<Deno.SrvRecord[]>;
  /** The addresses of `host` of one family. */
  addresses(
    host: string,
    type: "A" | "AAAA",
    signal: AbortSignal,
  ): Promise<string[]>;
}

/** What one round found. */
export type LookupResult =
  | {
    readonly ok: true;
    readonly workers: readonly DiscoveredWorker[];
    readonly failures: readonly TargetFailure[];
  }
  | { readonly ok: false; readonly error: unknown };

/** A target whose addresses could not be learned this round. */
export interface TargetFailure {
  readonly target: string;
  readonly error: unknown;
}

/** Metadata key of the SRV target a worker's address came from. */
export const TARGET_KEY = "srvTarget";

/**
 * Runs one round. `previous` is the last round's set: a target that fails
 * keeps its workers from it.
 */
export async function lookupWorkers(
  resolver: DnsResolver,
  name: string,
  previous: Iterable<DiscoveredWorker>,
  signal: AbortSignal,
): Promise<LookupResult> {
  let records: Deno.SrvRecord[];
  try {
    records = await resolver.srv(name, signal);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { ok: true, workers: [], failures: [] };
    }
    return { ok: false, error };
  }
  const byKey = new Map<string, DiscoveredWorker>();
  const failures: TargetFailure[] = [];
  const targets = await Promise.all(
    records.map(async (record) => ({
      record,
      found: await targetAddresses(resolver, trimDot(record.target), signal),
    })),
  );
  const kept = [...previous];
  for (const { record, found } of targets) {
    const target = trimDot(record.target);
    if (!found.ok) {
      failures.push({ target, error: found.error });
      for (const worker of kept) {
        if (worker.metadata?.[TARGET_KEY] === target) {
          byKey.set(worker.key, worker);
        }
      }
      continue;
    }
    for (const address of found.addresses) {
      const worker = workerOf(record, target, address);
      if (!byKey.has(worker.key)) byKey.set(worker.key, worker);
    }
  }
  return { ok: true, workers: [...byKey.values()], failures };
}

async function targetAddresses(
  resolver: DnsResolver,
  target: string,
  signal: AbortSignal,
): Promise<
  { ok: true; addresses: string[] } | { ok: false; error: unknown }
> {
  if (isIP(target) !== 0) return { ok: true, addresses: [target] };
  const families = await Promise.allSettled([
    resolver.addresses(target, "A", signal),
    resolver.addresses(target, "AAAA", signal),
  ]);
  const addresses: string[] = [];
  for (const family of families) {
    if (family.status === "fulfilled") addresses.push(...family.value);
    else if (!(family.reason instanceof Deno.errors.NotFound)) {
      return { ok: false, error: family.reason };
    }
  }
  return { ok: true, addresses };
}

function workerOf(
  record: Deno.SrvRecord,
  target: string,
  address: string,
): DiscoveredWorker {
  const key = formatHostPort(address, record.port);
  return Object.freeze({
    key,
    address: key,
    serverName: target,
    metadata: Object.freeze({
      [TARGET_KEY]: target,
      srvPriority: String(record.priority),
      srvWeight: String(record.weight),
    }),
  });
}

function trimDot(name: string): string {
  return name.endsWith(".") ? name.slice(0, -1) : name;
}
