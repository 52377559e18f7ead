/**
 * The workers' half of a call traced across two processes: reads the two
 * carriers `caller.ts` printed (one JSON line on stdin), rejects the task of
 * the first attempt and runs the task of the second.
 *
 * @module
 */
import { startTaskTelemetry } from "../../../src/telemetry/task_telemetry.ts";

const [first, second] = JSON.parse(
  await new Response(Deno.stdin.readable).text(),
);
const task = { id: "t1", module: "file:///app/tasks.ts", export: "add" };

const rejected = startTaskTelemetry(first, task);
rejected.hookStarted();
rejected.rejected("hook", "2 active tasks, limit 2");

const accepted = startTaskTelemetry(second, task);
accepted.hookStarted();
accepted.accepted();
await accepted.run(() => Promise.resolve(3));
accepted.end("ok");
