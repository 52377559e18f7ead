/**
 * A custom discovery: the workers listed in a JSON file, followed as the
 * file changes (a config-management tool, or a person, edits it). It only
 * reports membership; the pool dials, authenticates and retries:
 *
 *     await using pool = await WorkerPool.start({
 *       discovery: jsonFileDiscovery("workers.json"),
 *       credentials: { token: await Deno.readTextFile("token") },
 *     });
 *
 * Run alone, it prints the events it reports:
 *
 *     echo '["127.0.0.2:5001", {"address": "127.0.0.3:5001", "tags": ["gpu"]}]' > workers.json
 *     deno run -A examples/custom_discovery.ts workers.json
 *
 * The file holds a JSON array whose entries are `"host:port"` strings or
 * `{ "address": "host:port", "tags": [...] }` objects. A missing file means
 * no workers; a file that does not parse (half written) is reported as an
 * `error` event and the last known workers are kept until it parses again.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import {
  type DiscoveredWorker,
  type Discovery,
  DiscoveryError,
  type DiscoveryEvent,
} from "@wool/core";

/** Follows the workers listed in the JSON file at `path`. */
export function jsonFileDiscovery(path: string): Discovery {
  const file = resolve(path);
  return {
    async *subscribe(signal: AbortSignal): AsyncGenerator<DiscoveryEvent> {
      if (signal.aborted) return;
      // Watch the directory: editors replace files by renaming over them.
      const watcher = Deno.watchFs(dirname(file), { recursive: false });
      const close = () => watcher.close();
      signal.addEventListener("abort", close, { once: true });
      try {
        const known = new Map<string, DiscoveredWorker>();
        yield* reconcile(known, await readWorkers(file));
        yield { type: "synced" };
        for await (const event of watcher) {
          if (!event.paths.includes(file)) continue;
          yield* reconcile(known, await readWorkers(file));
        }
      } finally {
        signal.removeEventListener("abort", close);
        if (!signal.aborted) watcher.close();
      }
    },
  };
}

/** The file's workers, or the error event that says why not. */
async function readWorkers(
  file: string,
): Promise<DiscoveredWorker[] | DiscoveryEvent> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    return failure(file, `cannot read it (${error})`, error);
  }
  try {
    const entries: unknown = JSON.parse(text);
    if (!Array.isArray(entries)) throw new TypeError("not a JSON array");
    return entries.map(workerOf);
  } catch (error) {
    return failure(file, `cannot parse it (${error})`, error);
  }
}

function workerOf(entry: unknown): DiscoveredWorker {
  const { address, tags = [] } = typeof entry === "string"
    ? { address: entry }
    : entry as { address?: unknown; tags?: unknown };
  if (
    typeof address !== "string" ||
    !/^(\[[0-9a-f:.]+\]|[\w.-]+):\d+$/i.test(address)
  ) {
    throw new TypeError(`${JSON.stringify(entry)} is not a host:port`);
  }
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === "string")) {
    throw new TypeError(`the tags of ${address} are not strings`);
  }
  return { key: address, address, tags };
}

/** Yields the events that turn `known` into `found`, and applies them. */
function* reconcile(
  known: Map<string, DiscoveredWorker>,
  found: DiscoveredWorker[] | DiscoveryEvent,
): Generator<DiscoveryEvent> {
  if (!Array.isArray(found)) {
    yield found;
    return;
  }
  const next = new Map(found.map((worker) => [worker.key, worker]));
  for (const [key, worker] of known) {
    if (next.has(key)) continue;
    known.delete(key);
    yield { type: "removed", worker, reason: "withdrawn" };
  }
  for (const [key, worker] of next) {
    const previous = known.get(key);
    known.set(key, worker);
    if (previous === undefined) yield { type: "added", worker };
    else if (previous.tags?.join() !== worker.tags?.join()) {
      yield { type: "updated", worker, previous };
    }
  }
}

function failure(
  file: string,
  problem: string,
  cause: unknown,
): DiscoveryEvent {
  return {
    type: "error",
    error: new DiscoveryError(`jsonFileDiscovery(${file})`, problem, { cause }),
  };
}

if (import.meta.main) {
  const controller = new AbortController();
  Deno.addSignalListener("SIGINT", () => controller.abort());
  const discovery = jsonFileDiscovery(Deno.args[0] ?? "workers.json");
  for await (const event of discovery.subscribe(controller.signal)) {
    console.log(
      JSON.stringify(
        event,
        (_, value) => value instanceof Error ? value.message : value,
      ),
    );
  }
}
