/**
 * Task code run with the task span active, so the spans it starts are its
 * children. The closures these take live here, not in the session's
 * methods: a closure in `TaskSession#run`, even one never made, has V8
 * keep the method's variables in a heap context on every call, which cost
 * the worker more than a microsecond per task with telemetry off.
 *
 * @module
 */
import type { TaskTelemetry } from "../telemetry/task_telemetry_types.ts";
import type { RequestFrame } from "../wire/frames.ts";
import { callRoutine, type GeneratorRun } from "./routine_driver.ts";
import type { Routine } from "./routine_loader.ts";

/** Calls the routine inside the task span. */
export function callTraced(
  telemetry: TaskTelemetry,
  routine: Routine,
  args: readonly unknown[],
  scope: Parameters<typeof callRoutine>[2],
): unknown {
  return telemetry.run(() => callRoutine(routine, args, scope));
}

/** Steps the generator inside the task span. */
export function stepTraced(
  telemetry: TaskTelemetry,
  generator: GeneratorRun,
  frame: RequestFrame,
): ReturnType<GeneratorRun["step"]> {
  return telemetry.run(() => generator.step(frame));
}
