import { describeValue } from "../_util/describe.ts";
import { parseHostPort } from "../_util/host_port.ts";
import type {
  DiscoveredWorker,
  Discovery,
  DiscoveryEvent,
} from "./discovery.ts";
import { openEventStream, waitForAbort } from "./_event_stream.ts";

/**
 * A discovery of a fixed list of workers, each keyed by its address: every
 * subscription reports them all as `added`, then `synced`, and nothing
 * more. Workers that cannot be reached are the pool's to retry.
 *
 * @param addresses The workers' `host:port` addresses (an IPv6 host in
 * brackets), at least one, no two alike.
 * @returns A {@linkcode Discovery} of those workers.
 * @throws {TypeError} when `addresses` is not an array of strings, or an
 * entry is not a `host:port`; the message names the entry.
 * @throws {RangeError} when the list is empty, an entry's port is out of
 * range (1–65535), or an address appears twice.
 *
 * @example Two workers on other hosts
 * ```ts
 * import { staticDiscovery } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const discovery = staticDiscovery(["127.0.0.2:5001", "127.0.0.3:5001"]);
 * const controller = new AbortController();
 * const added: string[] = [];
 * for await (const event of discovery.subscribe(controller.signal)) {
 *   if (event.type === "added") added.push(event.worker.address);
 *   if (event.type === "synced") controller.abort();
 * }
 * assert.deepStrictEqual(added, ["127.0.0.2:5001", "127.0.0.3:5001"]);
 * ```
 */
export function staticDiscovery(addresses: readonly string[]): Discovery {
  const workers = validateAddresses(addresses);
  return {
    subscribe(signal: AbortSignal): AsyncIterable<DiscoveryEvent> {
      return openEventStream<DiscoveryEvent>(signal, async (emit, stop) => {
        for (const worker of workers) emit({ type: "added", worker });
        emit({ type: "synced" });
        await waitForAbort(stop);
      });
    },
  };
}

const WHERE = "Cannot create static discovery";

function validateAddresses(
  addresses: readonly string[],
): readonly DiscoveredWorker[] {
  if (!Array.isArray(addresses)) {
    throw new TypeError(
      `${WHERE}: addresses must be an array of "host:port" strings, received ${
        describeValue(addresses)
      }`,
    );
  }
  if (addresses.length === 0) {
    throw new RangeError(`${WHERE}: addresses must list at least one worker`);
  }
  const seen = new Set<string>();
  return Object.freeze(addresses.map((address: unknown, index) => {
    if (typeof address !== "string") {
      throw new TypeError(
        `${WHERE}: addresses[${index}] must be a "host:port" string, received ${
          describeValue(address)
        }`,
      );
    }
    const parsed = parseHostPort(address);
    if (!parsed.ok) {
      const Kind = parsed.kind === "range" ? RangeError : TypeError;
      throw new Kind(
        `${WHERE}: addresses[${index}] ${
          JSON.stringify(address)
        } is not a valid "host:port": ${parsed.reason}`,
      );
    }
    if (seen.has(address)) {
      throw new RangeError(
        `${WHERE}: addresses[${index}] ${
          JSON.stringify(address)
        } is listed twice`,
      );
    }
    seen.add(address);
    return Object.freeze({ key: address, address });
  }));
}
