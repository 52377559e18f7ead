/**
 * The discovery contract: how a pool learns which long-lived workers exist.
 *
 * A {@linkcode Discovery} only reports membership. It never dials a
 * worker, authenticates, assigns ids, applies the pool's `tags` or `lease`,
 * or retries an unreachable worker: the pool does all of that with the
 * events it reads. One subscription is one stream of events:
 *
 * ```text
 * subscription = (added | updated | removed | error)* ; synced appears once
 * per key       = (added updated* removed)*            ; in that order only
 * ```
 *
 * | event     | meaning                                                          |
 * | --------- | ---------------------------------------------------------------- |
 * | `added`   | a worker with a key not currently known                          |
 * | `updated` | a known worker's tags, capacity or metadata changed; same address |
 * | `removed` | a known worker left, with a {@linkcode RemovalReason}           |
 * | `synced`  | every worker that existed when the subscription began was reported |
 * | `error`   | the engine failed (DNS server down, NATS disconnected); the set is kept |
 *
 * Rules every implementation keeps (the shared conformance suite checks
 * them against each built-in and the example):
 * - Each `subscribe()` starts from an empty set and reports the current
 *   workers as `added`, then `synced` once.
 * - A worker's `address` never changes under its `key`: a discovery that
 *   sees a key move reports `removed` (reason `"replaced"`), then `added`.
 * - Engine failures are `error` events: the discovery keeps its last known
 *   set and keeps trying. The iterable ends only when `signal` aborts (or
 *   the consumer stops iterating), and only once everything the
 *   subscription opened (sockets, timers, connections) is released. An
 *   iterable that throws or ends early is a broken discovery: the pool
 *   reports it as an error and subscribes again, with backoff, from a
 *   fresh snapshot.
 *
 * @module
 */
import type { DiscoveryError } from "./errors.ts";

/**
 * A worker a discovery found. Everything but `key` and `address` is
 * optional, for the pool to use when present.
 */
export interface DiscoveredWorker {
  /**
   * Identifies the worker within its discovery: the id a worker announced,
   * or its address where the engine knows no better (DNS, a static list).
   */
  readonly key: string;
  /** Where it serves gRPC: `host:port`, an IPv6 host in brackets. */
  readonly address: string;
  /** The tags the worker carries (`--tag`), which a pool's `tags` filter. */
  readonly tags?: readonly string[];
  /** How many tasks the worker runs at once, when it says (≥ 1). */
  readonly capacity?: number;
  /**
   * The name to check the worker's TLS certificate against, when it is not
   * the host of `address` (DNS: the SRV target whose address this is).
   */
  readonly serverName?: string;
  /** Engine-specific facts, e.g. an SRV record's priority and weight. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Why a worker left a discovery's set.
 *
 * - `"withdrawn"`: its record is gone (a DNS record, a line of a file).
 * - `"expired"`: it stopped renewing its announcement (killed, partitioned).
 * - `"left"`: it said it was leaving (a clean drain).
 * - `"replaced"`: its key now names another address; an `added` follows.
 */
export type RemovalReason = "withdrawn" | "expired" | "left" | "replaced";

/** One change of a subscription's set; see the module doc for the grammar. */
export type DiscoveryEvent =
  | { readonly type: "added"; readonly worker: DiscoveredWorker }
  | {
    readonly type: "updated";
    readonly worker: DiscoveredWorker;
    readonly previous: DiscoveredWorker;
  }
  | {
    readonly type: "removed";
    readonly worker: DiscoveredWorker;
    readonly reason: RemovalReason;
  }
  | { readonly type: "synced" }
  | { readonly type: "error"; readonly error: DiscoveryError };

/**
 * A source of workers for a pool: a static list, DNS, NATS, or your own.
 * Implement `subscribe` to report membership as {@linkcode DiscoveryEvent}s
 * (the module doc states the rules; `examples/custom_discovery.ts` is a
 * complete one that watches a JSON file).
 *
 * @example A discovery of one fixed worker
 * ```ts
 * import type { Discovery, DiscoveryEvent } from "@wool/core";
 * import assert from "node:assert/strict";
 *
 * const one: Discovery = {
 *   async *subscribe(signal: AbortSignal): AsyncGenerator<DiscoveryEvent> {
 *     yield { type: "added", worker: { key: "a", address: "127.0.0.2:5001" } };
 *     yield { type: "synced" };
 *     if (signal.aborted) return;
 *     await new Promise((resolve) =>
 *       signal.addEventListener("abort", resolve, { once: true })
 *     );
 *   },
 * };
 * const controller = new AbortController();
 * const seen: string[] = [];
 * for await (const event of one.subscribe(controller.signal)) {
 *   seen.push(event.type);
 *   if (event.type === "synced") controller.abort();
 * }
 * assert.deepStrictEqual(seen, ["added", "synced"]);
 * ```
 */
export interface Discovery {
  /**
   * Reports the current workers, then every change, until `signal` aborts.
   *
   * @param signal Ends the subscription; the iterable then finishes once
   * everything it opened is released.
   */
  subscribe(signal: AbortSignal): AsyncIterable<DiscoveryEvent>;
}
