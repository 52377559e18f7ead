/**
 * A discovery whose list the test edits while pools follow it, so a test
 * can subscribe to a pool first and then let a worker be found. Each
 * subscription reports the current list, `synced`, then every edit.
 *
 * @module
 */
import type { DiscoveredWorker, Discovery, DiscoveryEvent } from "../../mod.ts";

/** An in-memory list of workers, as a `Discovery`. */
export class ListedDiscovery implements Discovery {
  readonly #workers = new Map<string, DiscoveredWorker>();
  readonly #subscribers = new Set<(event: DiscoveryEvent) => void>();

  /** Starts with `addresses` listed, each keyed by its address. */
  constructor(addresses: readonly string[] = []) {
    for (const address of addresses) {
      this.#workers.set(address, { key: address, address });
    }
  }

  /** Lists a worker (keyed by its address unless `key` is given). */
  add(address: string, details: Partial<DiscoveredWorker> = {}): void {
    const worker = { key: address, address, ...details };
    this.#workers.set(worker.key, worker);
    this.#emit({ type: "added", worker });
  }

  /** Unlists the worker under `key`. */
  remove(key: string): void {
    const worker = this.#workers.get(key);
    if (worker === undefined) return;
    this.#workers.delete(key);
    this.#emit({ type: "removed", worker, reason: "withdrawn" });
  }

  async *subscribe(signal: AbortSignal): AsyncGenerator<DiscoveryEvent> {
    const queue: DiscoveryEvent[] = [
      ...[...this.#workers.values()].map((worker) => ({
        type: "added" as const,
        worker,
      })),
      { type: "synced" },
    ];
    let wake: (() => void) | undefined;
    const push = (event: DiscoveryEvent) => {
      queue.push(event);
      wake?.();
    };
    const onAbort = () => wake?.();
    this.#subscribers.add(push);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      while (!signal.aborted) {
        const event = queue.shift();
        if (event !== undefined) {
          yield event;
          continue;
        }
        await new Promise<void>((resolve) => wake = resolve);
        wake = undefined;
      }
    } finally {
      this.#subscribers.delete(push);
      signal.removeEventListener("abort", onAbort);
    }
  }

  #emit(event: DiscoveryEvent): void {
    for (const push of this.#subscribers) push(event);
  }
}
