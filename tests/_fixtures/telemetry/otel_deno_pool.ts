/**
 * A program run with Deno's built-in OpenTelemetry (`OTEL_DENO=true`): a
 * real pool of two workers, which inherit the exporter settings, and a
 * known mix of calls. While `hold` streams on the first worker, `add` is
 * rejected there and accepted by the second; a call tagged `"never"` is
 * rejected by both. Prints the workers' ids and addresses as one JSON line.
 *
 * @module
 */
import { NoWorkersAvailable, WorkerPool } from "../../../mod.ts";
import { InOrder } from "./in_order.ts";

const tasks = new URL("./work.ts", import.meta.url).href;
const pool = await WorkerPool.start({
  spawn: 2,
  backpressure: new URL("./traced_hook.ts", import.meta.url).href,
  admissionWaitMs: 0,
  loadBalancer: new InOrder(),
});
const hold = pool.dispatch<AsyncGenerator<number>>({
  module: tasks,
  export: "hold",
})[Symbol.asyncIterator]();
await hold.next();
const sum = await pool.dispatch({ module: tasks, export: "add", args: [1, 2] });
if (sum !== 3) throw new Error(`add returned ${sum}`);
await hold.return(undefined);
try {
  await pool.dispatch({ module: tasks, export: "add", tag: "never" });
  throw new Error("the call tagged never was admitted");
} catch (error) {
  if (!(error instanceof NoWorkersAvailable)) throw error;
}
console.log(
  JSON.stringify(pool.workers.map(({ id, address }) => ({ id, address }))),
);
await pool.close();
