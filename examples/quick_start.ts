/**
 * The main example: start a pool of two worker processes, run a coroutine
 * and a streaming generator on it, print the results, close it.
 *
 *     deno run -A examples/quick_start.ts
 *
 * @module
 */
import { WorkerPool } from "@wool/core";

await using pool = await WorkerPool.start({ spawn: 2 });
console.log(
  "workers:",
  pool.workers.map((w) => `${w.id} pid ${w.pid} at ${w.address}`).join(", "),
);

const tasks = pool.remote<typeof import("./tasks.ts")>(
  import.meta.resolve("./tasks.ts"),
);

console.log("add(1, 2) =", await tasks.add(1, 2));

const counted: number[] = [];
for await (const i of tasks.count(5)) counted.push(i);
console.log("count(5) streamed", counted.join(", "));

const results = await Promise.all([1, 2, 3, 4].map((i) => tasks.add(i, i)));
console.log("four calls in parallel:", results.join(", "));
