import assert from "node:assert/strict";
import { jsonFileDiscovery } from "../../../examples/custom_discovery.ts";
import { DiscoveryWatch } from "../../_helpers/discovery_watch.ts";
import { runDiscoveryConformance } from "./_conformance.ts";

/** A temp dir holding `workers.json`, written atomically (write, rename). */
class WorkersFile implements AsyncDisposable {
  readonly dir = Deno.makeTempDirSync({ prefix: "wool-discovery-" });
  readonly path = `${this.dir}/workers.json`;
  #writes = 0;

  write(entries: unknown): Promise<void> {
    return this.writeText(JSON.stringify(entries));
  }

  async writeText(text: string): Promise<void> {
    const staged = `${this.dir}/.workers-${this.#writes++}.tmp`;
    await Deno.writeTextFile(staged, text);
    await Deno.rename(staged, this.path);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.dir, { recursive: true });
  }
}

runDiscoveryConformance({
  name: "jsonFileDiscovery (examples/custom_discovery.ts)",
  allowsEmpty: true,
  removalReason: "withdrawn",
  async start(addresses) {
    const file = new WorkersFile();
    const current = new Set(addresses);
    await file.write([...current]);
    return {
      discovery: jsonFileDiscovery(file.path),
      async add(address) {
        current.add(address);
        await file.write([...current]);
      },
      async remove(address) {
        current.delete(address);
        await file.write([...current]);
      },
      [Symbol.asyncDispose]: () => file[Symbol.asyncDispose](),
    };
  },
});

Deno.test("jsonFileDiscovery reports changed tags as updated", async () => {
  await using file = new WorkersFile();
  await file.write(["127.0.0.2:5001"]);
  await using watch = new DiscoveryWatch(jsonFileDiscovery(file.path));
  await watch.synced();
  await file.write([{ address: "127.0.0.2:5001", tags: ["gpu"] }]);
  const updated = await watch.change("updated", "127.0.0.2:5001");
  assert.deepStrictEqual(
    (updated as { worker: { tags?: readonly string[] } }).worker.tags,
    ["gpu"],
  );
});

Deno.test("jsonFileDiscovery keeps its workers and reports an error while the file does not parse", async () => {
  await using file = new WorkersFile();
  await file.write(["127.0.0.2:5001"]);
  await using watch = new DiscoveryWatch(jsonFileDiscovery(file.path));
  await watch.synced();
  await file.writeText('["127.0.0.2:5001", "127.0.0.3');
  const error = await watch.error();
  assert.match(error.message, /cannot parse it/);
  assert.deepStrictEqual(watch.addresses, ["127.0.0.2:5001"]);
  await file.write(["127.0.0.3:5001"]);
  await watch.change("removed", "127.0.0.2:5001");
  await watch.change("added", "127.0.0.3:5001");
});

Deno.test("jsonFileDiscovery reports no workers while the file is missing", async () => {
  await using file = new WorkersFile();
  await file.write(["127.0.0.2:5001"]);
  await using watch = new DiscoveryWatch(jsonFileDiscovery(file.path));
  await watch.synced();
  await Deno.remove(file.path);
  await watch.change("removed", "127.0.0.2:5001");
  assert.deepStrictEqual(watch.addresses, []);
});
